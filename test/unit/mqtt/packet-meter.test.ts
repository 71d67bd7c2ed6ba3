import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { PacketMeter } from "../../../gateway/mqtt/packet-meter.js";

const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: "publish",
    topic: "checkpoint/devices/thermo-1/temperature",
    payload: Buffer.alloc(bytes, 0x41),
    qos: 1,
    messageId: 7,
    dup: false,
    retain: false,
  });

describe("the MQTT packet meter", () => {
  it("passes packets up to the limit, however the bytes are split", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        (sizes, piece) => {
          const bytes = Buffer.concat(sizes.map(publish));
          const meter = new PacketMeter(1024);
          for (let i = 0; i < bytes.length; i += piece)
            expect(meter.feed(bytes.subarray(i, i + piece))).toEqual({ ok: true });
        },
      ),
    );
  });

  it("refuses a packet over the limit from its length alone, before its body", () => {
    const meter = new PacketMeter(1024);
    expect(meter.feed(publish(100))).toEqual({ ok: true });
    // Only the fixed header of a 2 MB packet: refused already.
    expect(meter.feed(publish(2 * 1024 * 1024).subarray(0, 5))).toEqual({
      ok: false,
      reason: "too_large",
    });
    expect(new PacketMeter(8192).feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))).toEqual({
      ok: false,
      reason: "too_large",
    });
  });

  it("refuses a remaining length longer than four bytes (malformed)", () => {
    expect(new PacketMeter(1e9).feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toEqual({
      ok: false,
      reason: "bad_length",
    });
  });

  it("takes a larger limit after a login", () => {
    const meter = new PacketMeter(16);
    expect(meter.feed(publish(100)).ok).toBe(false);
    const after = new PacketMeter(16);
    after.limit = 1024;
    expect(after.feed(publish(100)).ok).toBe(true);
  });
});
