import { createHash, randomBytes } from "node:crypto";

/**
 * HTTP Digest authentication (RFC 7616 with MD5 and qop=auth, what Hikvision ISAPI speaks):
 * the client's answer to a challenge, and the server's check of one. Node has no Digest of its
 * own; these are the few lines of the RFC's formulas.
 */
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
}

/** The fields of a `WWW-Authenticate: Digest ...` or `Authorization: Digest ...` header. */
export function digestFields(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of header.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    fields[(match[1] ?? "").toLowerCase()] = match[2] ?? match[3] ?? "";
  return fields;
}

/** The `Authorization` header answering a challenge for `method uri`. */
export function digestAuthorization(
  challenge: DigestChallenge,
  username: string,
  password: string,
  method: string,
  uri: string,
  /** The how-manieth request with this nonce (RFC 7616 `nc`). */
  count = 1,
): string {
  const nc = count.toString(16).padStart(8, "0");
  const cnonce = randomBytes(8).toString("hex");
  const ha1 = md5(`${username}:${challenge.realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = challenge.qop
    ?.split(",")
    .map((q) => q.trim())
    .includes("auth")
    ? "auth"
    : undefined;
  const response = qop
    ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  return [
    `Digest username="${username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    `response="${response}"`,
    ...(challenge.opaque ? [`opaque="${challenge.opaque}"`] : []),
    "algorithm=MD5",
  ].join(", ");
}

/**
 * Whether a Digest answer's `response` is right for this user, password and method (the hash
 * only: the nonce, its count and the uri are the caller's to check).
 */
export function digestResponseValid(
  f: Record<string, string>,
  realm: string,
  username: string,
  password: string,
  method: string,
): boolean {
  if (f.username !== username || f.realm !== realm || !f.nonce) return false;
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${f.uri}`);
  const expected = f.qop
    ? md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`)
    : md5(`${ha1}:${f.nonce}:${ha2}`);
  return expected === f.response;
}

/** Whether an `Authorization: Digest` header is right, its nonce one of `nonces` (a terminal's own check). */
export function digestValid(
  header: string,
  realm: string,
  nonces: { has(nonce: string): boolean },
  username: string,
  password: string,
  method: string,
): boolean {
  const f = digestFields(header);
  return nonces.has(f.nonce ?? "") && digestResponseValid(f, realm, username, password, method);
}

/**
 * A POST of JSON with Digest: the first try is challenged, the second answers it. `signal`
 * ends both (and the reading of the answer's body): a timeout, or the gateway stopping.
 */
export async function digestPostJson(
  url: string,
  body: unknown,
  username: string,
  password: string,
  signal?: AbortSignal,
): Promise<Response> {
  const init = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  };
  const first = await fetch(url, init);
  // Several challenges (Basic, then Digest) come joined in one header value: take Digest's.
  const header = first.headers.get("www-authenticate") ?? "";
  const at = header.search(/Digest\s/i);
  if (first.status !== 401 || at < 0) return first;
  await first.arrayBuffer();
  const fields = digestFields(header.slice(at));
  const { pathname, search } = new URL(url);
  const authorization = digestAuthorization(
    {
      realm: fields.realm ?? "",
      nonce: fields.nonce ?? "",
      qop: fields.qop,
      opaque: fields.opaque,
    },
    username,
    password,
    "POST",
    `${pathname}${search}`,
  );
  return fetch(url, { ...init, headers: { ...init.headers, authorization } });
}
