import { Transform, type TransformCallback } from "node:stream";
import { InterByteTimeoutParser } from "@serialport/parser-inter-byte-timeout";
import { DROP_EVENT, type FrameDrop } from "../frame-result.js";
import { LineSplitter } from "../lines.js";
import { DEFAULT_IDLE_MS, MAX_CODE_BYTES } from "./constants.js";
import { QrFrame } from "./frame.js";

/**
 * Bytes in, `QrFrame`s out. `@serialport/parser-inter-byte-timeout` cuts the stream at every
 * pause of `idleMs`; each piece is split at CR, LF or CRLF, and what follows the last line end
 * of a piece is a code too (the pause ended it). So a code with a suffix and one without are
 * both read, at the cost of `idleMs` of delay, which nobody at a gate notices.
 */
export class QrLineParser extends Transform {
  private readonly gaps: InterByteTimeoutParser;
  private readonly lines = new LineSplitter(MAX_CODE_BYTES, (drop) => this.emit(DROP_EVENT, drop));

  constructor(idleMs = DEFAULT_IDLE_MS) {
    super({ readableObjectMode: true });
    // The library's cap (it flushes when full) is set well above a code, so a flush by size
    // is an overlong line that the splitter drops, not a code cut in two.
    this.gaps = new InterByteTimeoutParser({ interval: idleMs, maxBufferSize: 8 * MAX_CODE_BYTES });
    this.gaps.on("data", (piece: Buffer) => {
      for (const text of this.lines.feed(piece, true)) {
        const decoded = QrFrame.fromText(text);
        if (decoded.ok) this.push(decoded.frame);
        else if (decoded.reason !== "no_match") {
          this.emit(DROP_EVENT, {
            reason: decoded.reason,
            detail: decoded.detail,
            bytes: Buffer.byteLength(text),
          } satisfies FrameDrop);
        }
      }
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.gaps.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    this.gaps.end(() => done());
  }
}
