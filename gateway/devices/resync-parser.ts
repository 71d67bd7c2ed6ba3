import { Transform, type TransformCallback } from "node:stream";
import { type Decoded, DROP_EVENT, type FrameDrop } from "./frame-result.js";

/** What a fixed-length binary protocol tells the resyncing parser. */
export interface FixedFrameSpec<F> {
  frameLength: number;
  /** Where the next frame may start, or -1. */
  findStart(data: Buffer): number;
  /** With no start found: how many trailing bytes may still begin one (kept for the next chunk). */
  partialStart(data: Buffer): number;
  decode(bytes: Buffer): Decoded<F>;
}

/**
 * Bytes in, frames out, for fixed-length frames with a start marker (after
 * zigbee-herdsman's unpi parser): skip to a start, wait for a whole frame, decode it; a bad
 * one is dropped (a `drop` event with the reason) and the search goes on one byte later, so
 * a good frame hidden behind garbage is still found. Holds at most one partial frame and
 * never throws.
 */
export class ResyncingParser<F> extends Transform {
  private buffer = Buffer.alloc(0);

  constructor(private readonly spec: FixedFrameSpec<F>) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const { spec } = this;
    let data = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const start = spec.findStart(data);
      if (start < 0) {
        const keep = spec.partialStart(data);
        this.reportDrop("garbage", "bytes without a frame start", data.length - keep);
        data = data.subarray(data.length - keep);
        break;
      }
      if (start > 0) {
        this.reportDrop("garbage", "bytes before a frame start", start);
        data = data.subarray(start);
      }
      if (data.length < spec.frameLength) break;
      const decoded = spec.decode(data.subarray(0, spec.frameLength));
      if (decoded.ok) {
        this.push(decoded.frame);
        data = data.subarray(spec.frameLength);
      } else {
        this.reportDrop(decoded.reason, decoded.detail, 1);
        data = data.subarray(1);
      }
    }
    this.buffer = Buffer.from(data);
    done();
  }

  private reportDrop(reason: FrameDrop["reason"], detail: string, bytes: number): void {
    if (bytes > 0) this.emit(DROP_EVENT, { reason, detail, bytes } satisfies FrameDrop);
  }
}
