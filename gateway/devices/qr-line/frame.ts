import { type Decoded, dropped } from "../frame-result.js";
import { MAX_CODE_BYTES, NO_READ } from "./constants.js";

export type QrSuffix = "\r" | "\n" | "\r\n" | "";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_TEXT = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** Whether a code is text a pass could carry: no control characters, nothing that was not UTF-8. */
export function isPassText(code: string): boolean {
  return !NOT_TEXT.test(code);
}

/** One scanned code; immutable. */
export class QrFrame {
  private constructor(readonly code: string) {}

  static of(code: string): QrFrame {
    const decoded = QrFrame.fromText(code);
    if (!decoded.ok) throw new RangeError(decoded.detail);
    return decoded.frame;
  }

  /** A code's text without its suffix. `%%NoRead` and empty text are not codes. */
  static fromText(text: string): Decoded<QrFrame> {
    const code = text.trim();
    if (code === "" || code === NO_READ)
      return dropped("no_match", code === "" ? "empty code" : "scanner saw no code");
    if (Buffer.byteLength(code) > MAX_CODE_BYTES)
      return dropped("overflow", `code longer than ${MAX_CODE_BYTES} bytes`);
    if (/[\r\n]/.test(code)) return dropped("malformed", "a code cannot contain a line break");
    // A pass is printed text: control characters or bytes that are not UTF-8 (decoded as
    // U+FFFD) are line noise, not a pass (1 MB of noise once made 7,480 "scans").
    if (!isPassText(code))
      return dropped("malformed", "control characters or bytes that are not UTF-8 text");
    return { ok: true, frame: new QrFrame(code) };
  }

  toBuffer(suffix: QrSuffix = "\r"): Buffer {
    return Buffer.from(`${this.code}${suffix}`, "utf8");
  }
}
