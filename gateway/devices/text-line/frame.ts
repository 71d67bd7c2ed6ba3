import { type Decoded, dropped } from "../frame-result.js";
import { MAX_LINE_BYTES } from "./constants.js";

/** One temperature line; immutable. */
export class TextLineFrame {
  private constructor(readonly tempC: number) {}

  static of(tempC: number): TextLineFrame {
    if (!Number.isFinite(tempC)) throw new RangeError(`${tempC} is not a temperature`);
    return new TextLineFrame(tempC);
  }

  /** Reads a line (without its ending) with a pattern that has a named group `temp`. */
  static fromLine(line: string, pattern: RegExp): Decoded<TextLineFrame> {
    if (Buffer.byteLength(line) > MAX_LINE_BYTES)
      return dropped("overflow", `line longer than ${MAX_LINE_BYTES} bytes`);
    const temp = pattern.exec(line)?.groups?.temp;
    const value = temp === undefined ? Number.NaN : Number(temp);
    if (!Number.isFinite(value))
      return dropped("no_match", `no temperature in ${JSON.stringify(line.slice(0, 40))}`);
    return { ok: true, frame: new TextLineFrame(value) };
  }

  /** The line as the simulator's module prints it: `T:36.80` and CRLF. */
  toBuffer(ending: "\r\n" | "\n" | "\r" = "\r\n"): Buffer {
    return Buffer.from(`T:${this.tempC.toFixed(2)}${ending}`, "ascii");
  }
}

/** Compiles a configured pattern, insisting on the named group `temp`. */
export function compilePattern(source: string): RegExp {
  const pattern = new RegExp(source, "i");
  if (!source.includes("(?<temp>")) throw new Error("the pattern needs a named group (?<temp>...)");
  return pattern;
}
