/**
 * Measures MQTT packets as their bytes arrive (pure state, no I/O): the fixed header's type
 * byte and "remaining length" (MQTT 3.1.1 §2.2.3: 1-4 bytes, 7 bits each) say how large a
 * packet is before its body comes, so an oversized one is refused before a byte of it is
 * buffered. The broker's parser (mqtt-packet) has no size limit and would buffer a 256 MB
 * packet whole.
 */
export type MeterVerdict = { ok: true } | { ok: false; reason: "too_large" | "bad_length" };

export class PacketMeter {
  private state: "type" | "length" | "body" = "type";
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  /** `limit`: the largest remaining length accepted (it may change, e.g. after a login). */
  constructor(public limit: number) {}

  feed(chunk: Uint8Array): MeterVerdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "type") {
        i += 1;
        this.state = "length";
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === "length") {
        const byte = chunk[i] ?? 0;
        i += 1;
        this.lengthBytes += 1;
        this.remaining += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        if (byte & 0x80) {
          if (this.lengthBytes >= 4) return { ok: false, reason: "bad_length" };
          continue;
        }
        if (this.remaining > this.limit) return { ok: false, reason: "too_large" };
        this.state = this.remaining === 0 ? "type" : "body";
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = "type";
      }
    }
    return { ok: true };
  }
}
