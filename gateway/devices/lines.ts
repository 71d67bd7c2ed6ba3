import type { FrameDrop } from "./frame-result.js";

/**
 * Splits bytes into lines ending in CR, LF or CRLF (also a CRLF split across two chunks), as
 * text-printing modules and scanners send them. A line longer than `maxBytes` is dropped whole
 * (reported with reason `overflow`) and the splitter resyncs at the next line end, so it never
 * holds more than `maxBytes`. `@serialport/parser-readline` takes a single delimiter and has no
 * length cap, hence this one small class for both line protocols.
 */
export class LineSplitter {
  private pending = Buffer.alloc(0);
  private overflowing = false;
  private lastWasCr = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (drop: FrameDrop) => void,
  ) {}

  /**
   * The lines completed by `chunk`. With `endsLine`, the bytes after the last line end are a
   * line too (the QR parser feeds chunks that an idle gap has already ended).
   */
  feed(chunk: Buffer, endsLine = false): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== 0x0d && byte !== 0x0a) continue;
      // The LF of a CRLF, perhaps at the start of the next chunk, ends nothing new.
      if (byte === 0x0a && i === start && this.lastWasCr && this.pending.length === 0) {
        start = i + 1;
        this.lastWasCr = false;
        continue;
      }
      this.collect(chunk.subarray(start, i));
      this.endLine(lines);
      this.lastWasCr = byte === 0x0d;
      start = i + 1;
    }
    if (start < chunk.length) {
      this.lastWasCr = false;
      this.collect(chunk.subarray(start));
    }
    if (endsLine) this.endLine(lines);
    return lines;
  }

  private collect(bytes: Buffer): void {
    if (bytes.length === 0 || this.overflowing) return;
    if (this.pending.length + bytes.length > this.maxBytes) {
      this.overflowing = true;
      this.onDrop({
        reason: "overflow",
        detail: `line longer than ${this.maxBytes} bytes`,
        bytes: this.pending.length + bytes.length,
      });
      this.pending = Buffer.alloc(0);
      return;
    }
    this.pending =
      this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
  }

  private endLine(lines: string[]): void {
    if (!this.overflowing && this.pending.length > 0) lines.push(this.pending.toString("utf8"));
    this.pending = Buffer.alloc(0);
    this.overflowing = false;
  }
}
