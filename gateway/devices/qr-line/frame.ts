import { type Decoded, dropped } from "../frame-result.js";
import { MAX_CODE_BYTES, NO_READ } from "./constants.js";

export type QrSuffix = "\r" | "\n" | "\r\n" | "";

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
    return { ok: true, frame: new QrFrame(code) };
  }

  toBuffer(suffix: QrSuffix = "\r"): Buffer {
    return Buffer.from(`${this.code}${suffix}`, "utf8");
  }
}
