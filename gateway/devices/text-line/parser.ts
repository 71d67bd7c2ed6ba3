import { Transform, type TransformCallback } from "node:stream";
import { DROP_EVENT, type FrameDrop } from "../frame-result.js";
import { LineSplitter } from "../lines.js";
import { MAX_LINE_BYTES } from "./constants.js";
import { TextLineFrame } from "./frame.js";

/** Bytes in, `TextLineFrame`s out; a line without a temperature is dropped with a reason. */
export class TextLineParser extends Transform {
  private readonly lines = new LineSplitter(MAX_LINE_BYTES, (drop) => this.emit(DROP_EVENT, drop));

  constructor(private readonly pattern: RegExp) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    for (const line of this.lines.feed(chunk)) {
      const decoded = TextLineFrame.fromLine(line, this.pattern);
      if (decoded.ok) this.push(decoded.frame);
      else
        this.emit(DROP_EVENT, {
          reason: decoded.reason,
          detail: decoded.detail,
          bytes: Buffer.byteLength(line),
        } satisfies FrameDrop);
    }
    done();
  }
}
