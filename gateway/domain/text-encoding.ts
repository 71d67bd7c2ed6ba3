/**
 * The text of a file as spreadsheets save it (pure, browser-safe). Excel on a Chinese Windows
 * saves "CSV" in GB18030 (GBK), not UTF-8: read as UTF-8, every name would turn into
 * replacement characters and go into the registry that way. So a declared charset is used
 * strictly, and without one UTF-8 is tried first (it rejects GBK bytes almost always) and then
 * GB18030; bytes that are neither are refused, never guessed at.
 */

export class TextEncodingError extends Error {}

export interface DecodedText {
  text: string;
  /** The WHATWG name of the encoding it was read as: `utf-8` or `gb18030`. */
  encoding: string;
}

export function decodeSpreadsheetText(bytes: Uint8Array, declared?: string): DecodedText {
  const candidates = declared ? [declared] : ["utf-8", "gb18030"];
  for (const label of candidates) {
    const decoded = strictDecode(bytes, label);
    if (decoded) return decoded;
  }
  throw new TextEncodingError(
    declared
      ? `the file is not valid ${declared} text`
      : "the file is neither UTF-8 nor GB18030 text: save it from the spreadsheet as CSV UTF-8",
  );
}

/** The text as `label`, or null if the bytes are not valid in it. */
function strictDecode(bytes: Uint8Array, label: string): DecodedText | null {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new TextEncodingError(`unknown charset ${label}: send utf-8 or gb18030`);
  }
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding };
  } catch {
    return null;
  }
}
