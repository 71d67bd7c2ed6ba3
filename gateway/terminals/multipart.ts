/**
 * A terminal's multipart body, split as real terminals write it (pure, on bytes, so NULs and
 * JPEGs pass untouched). RFC 2046 section 5.1 is the model, loosened where devices are seen to
 * differ from it (test/fixtures/terminals/, with the sources):
 * - the delimiter is matched case-insensitively: a Hikvision DS-K1T323 declares
 *   `boundary=mime_boundary` and writes `--MIME_boundary`; and when no line of the body is the
 *   declared boundary, the body's own first `--` line is taken as it;
 * - lines end in CRLF or LF, and transport padding after a delimiter is ignored;
 * - a part's `Content-Length` is only a hint (a DS-K1T342MWX declares 652 for 648 bytes): parts
 *   end at the next delimiter, and a body without its closing delimiter ends its last part.
 */
export interface MultipartPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The `name` of its Content-Disposition, if any. */
  name: string | null;
  /** Its Content-Type without parameters, lower case, if any. */
  contentType: string | null;
  body: Buffer;
}

/** The boundary a Content-Type declares (quoted or not), or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const match = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return match ? (match[1] ?? match[2] ?? null) : null;
}

interface Line {
  /** Where the line starts, where its text ends (before CR LF or LF), where the next starts. */
  start: number;
  end: number;
  next: number;
}

function linesOf(body: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < body.length) {
    const lf = body.indexOf(0x0a, start);
    const next = lf === -1 ? body.length : lf + 1;
    const end = lf === -1 ? body.length : lf > start && body[lf - 1] === 0x0d ? lf - 1 : lf;
    lines.push({ start, end, next });
    start = next;
  }
  return lines;
}

/** The boundary a delimiter line names (`--x` or the closing `--x--`), or null. */
function delimiterName(body: Buffer, line: Line): string | null {
  // A delimiter is short; a longer line is content (a JPEG's bytes, say).
  if (line.end - line.start < 3 || line.end - line.start > 200) return null;
  if (body[line.start] !== 0x2d || body[line.start + 1] !== 0x2d) return null;
  const text = body.toString("latin1", line.start + 2, line.end).trimEnd();
  const name = text.endsWith("--") ? text.slice(0, -2) : text;
  return name.length > 0 && !/\s/.test(name) ? name : null;
}

/**
 * The parts of a multipart body, in order; [] when no delimiter is found at all. The preamble
 * before the first delimiter and the epilogue after the closing one are dropped.
 */
export function splitMultipart(body: Buffer, declared: string | null): MultipartPart[] {
  const lines = linesOf(body);
  const named = lines.map((line) => delimiterName(body, line));
  const wanted = declared?.toLowerCase();
  const boundary =
    (wanted !== undefined && named.some((name) => name?.toLowerCase() === wanted)
      ? wanted
      : named.find((name) => name !== null)?.toLowerCase()) ?? null;
  if (boundary === null) return [];
  const delimiters: { line: Line; closing: boolean }[] = [];
  lines.forEach((line, i) => {
    if (named[i]?.toLowerCase() !== boundary) return;
    const text = body.toString("latin1", line.start, line.end).trimEnd();
    delimiters.push({ line, closing: text.endsWith("--") && text.length > boundary.length + 2 });
  });
  const parts: MultipartPart[] = [];
  for (const [i, delimiter] of delimiters.entries()) {
    if (delimiter.closing) break;
    const following = delimiters[i + 1];
    // The line break before the next delimiter belongs to the delimiter (RFC 2046).
    let end = following ? following.line.start : body.length;
    if (following && end > 0 && body[end - 1] === 0x0a)
      end -= end > 1 && body[end - 2] === 0x0d ? 2 : 1;
    const start = Math.min(delimiter.line.next, end);
    parts.push(partOf(body.subarray(start, end)));
  }
  return parts.filter((part) => part.body.length > 0 || Object.keys(part.headers).length > 0);
}

/** A part's headers (up to the first empty line) and its body. */
function partOf(segment: Buffer): MultipartPart {
  const headers: Record<string, string> = {};
  let offset = 0;
  for (const line of linesOf(segment)) {
    const text = segment.toString("latin1", line.start, line.end);
    if (text.trim() === "") {
      offset = line.next;
      break;
    }
    const header = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(text);
    // Not a header: a part that has none, so it is all body.
    if (!header) {
      offset = 0;
      break;
    }
    headers[(header[1] as string).toLowerCase()] = (header[2] as string).trim();
    offset = line.next;
  }
  const disposition = headers["content-disposition"] ?? "";
  const name = /\bname\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(disposition);
  const type = headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  return {
    headers,
    name: name ? (name[1] ?? name[2] ?? null) : null,
    contentType: type || null,
    body: segment.subarray(offset),
  };
}

/**
 * The notification's JSON among the parts: the part typed JSON, or named as Hikvision and Dahua
 * name it, or the first that starts as JSON; its text from its first `{` to its last `}` (a
 * stray other boundary or padding after it is not the JSON's). Null when there is none.
 */
export function jsonPart(
  parts: readonly MultipartPart[],
): { part: MultipartPart; text: string } | null {
  const startsAsJson = (part: MultipartPart) => {
    const text = part.body.toString("utf8", 0, Math.min(part.body.length, 64)).trimStart();
    return text.startsWith("{");
  };
  const part =
    parts.find((p) => p.contentType === "application/json" || p.contentType === "text/json") ??
    parts.find((p) => p.name !== null && JSON_NAMES.has(p.name.toLowerCase())) ??
    parts.find(startsAsJson);
  if (!part) return null;
  const text = part.body.toString("utf8");
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  return { part, text: first === -1 || last < first ? text : text.slice(first, last + 1) };
}

/** The part names terminals give their JSON (Hikvision ISAPI push; ISAPI's own examples). */
const JSON_NAMES = new Set(["event_log", "accesscontrollerevent", "faceCapture".toLowerCase()]);
