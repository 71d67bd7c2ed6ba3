import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Gy90614Frame, Gy90614Parser } from "../../../gateway/devices/gy-mcu90614/index.js";
import { Rdm6300Frame, Rdm6300Parser } from "../../../gateway/devices/rdm6300/index.js";
import { allSplits, hexBytes, parseChunks } from "../../helpers/parse.js";

const vectors = JSON.parse(
  readFileSync(new URL("../../vectors.json", import.meta.url), "utf8"),
) as {
  "gy-mcu90614": { frame: string; object_c?: number; ambient_c?: number }[];
  rdm6300: { frame: string; pass_id: string }[];
};

describe("GY-MCU90614 frames", () => {
  it.each(vectors["gy-mcu90614"])("decodes the known-good vector $frame", (vector) => {
    const decoded = Gy90614Frame.fromBuffer(hexBytes(vector.frame));
    if (vector.object_c === undefined) {
      expect(decoded).toMatchObject({ ok: false, reason: "checksum" });
    } else {
      expect(decoded).toMatchObject({
        ok: true,
        frame: { objectC: vector.object_c, ambientC: vector.ambient_c },
      });
    }
  });

  it("encodes what it decodes, including an ambient below zero", () => {
    for (const [object, ambient] of [
      [36.62, 22.1],
      [38.1, 18.5],
      [35.0, -12.34],
      [-1.5, 0],
    ] as const) {
      const bytes = Gy90614Frame.of(object, ambient).toBuffer();
      expect(Gy90614Frame.fromBuffer(bytes)).toEqual({
        ok: true,
        frame: Gy90614Frame.of(object, ambient),
      });
    }
    expect(Gy90614Frame.of(36.62, 22.1).toBuffer()).toEqual(hexBytes("5A5A45040E4E08A203"));
  });

  it("refuses a frame of another type or length", () => {
    expect(Gy90614Frame.fromBuffer(hexBytes("5A5A15040E4E08A2D3"))).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    expect(Gy90614Frame.fromBuffer(hexBytes("5A5A45"))).toMatchObject({
      ok: false,
      reason: "malformed",
    });
  });
});

describe("RDM6300 frames", () => {
  it.each(vectors.rdm6300)("decodes the known-good vector to pass id $pass_id", (vector) => {
    const decoded = Rdm6300Frame.fromBuffer(hexBytes(vector.frame));
    expect(decoded.ok && decoded.frame.passId).toBe(vector.pass_id);
    expect(decoded.ok && decoded.frame.toBuffer()).toEqual(hexBytes(vector.frame));
  });

  it("pads the pass id to 10 digits and round-trips it", () => {
    expect(Rdm6300Frame.fromPassId("0000000042").passId).toBe("0000000042");
    expect(Rdm6300Frame.fromPassId("4294967295").passId).toBe("4294967295");
    expect(() => Rdm6300Frame.fromPassId("4294967296")).toThrow(RangeError);
  });

  it("refuses a bad checksum, a missing ETX and non-hex data", () => {
    const good = hexBytes(vectors.rdm6300[0]?.frame ?? "");
    const badSum = Buffer.from(good);
    badSum[12] = 0x42;
    expect(Rdm6300Frame.fromBuffer(badSum)).toMatchObject({ ok: false, reason: "checksum" });
    const noEtx = Buffer.from(good);
    noEtx[13] = 0x04;
    expect(Rdm6300Frame.fromBuffer(noEtx)).toMatchObject({ ok: false, reason: "malformed" });
    const notHex = Buffer.from(good);
    notHex[3] = 0x5a;
    expect(Rdm6300Frame.fromBuffer(notHex)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

interface BinaryCase<F> {
  name: string;
  parser: () => Gy90614Parser | Rdm6300Parser;
  frames: F[];
  encode: (frame: F) => Buffer;
  key: (frame: F) => string;
  /** A frame with a broken checksum. */
  corrupt: Buffer;
  arbitrary: fc.Arbitrary<F>;
  isValid: (frame: F) => boolean;
}

const gy: BinaryCase<Gy90614Frame> = {
  name: "gy-mcu90614",
  parser: () => new Gy90614Parser(),
  frames: [Gy90614Frame.of(36.62, 22.1), Gy90614Frame.of(38.1, 18.5), Gy90614Frame.of(34.2, -3)],
  encode: (f) => f.toBuffer(),
  key: (f) => `${f.objectC}/${f.ambientC}`,
  corrupt: hexBytes("5A5A45040E4E08A200"),
  arbitrary: fc
    .tuple(fc.integer({ min: -4000, max: 12000 }), fc.integer({ min: -4000, max: 8000 }))
    .map(([o, a]) => Gy90614Frame.of(o / 100, a / 100)),
  isValid: (f) => Gy90614Frame.fromBuffer(f.toBuffer()).ok,
};

const rdm: BinaryCase<Rdm6300Frame> = {
  name: "rdm6300",
  parser: () => new Rdm6300Parser(),
  frames: [
    Rdm6300Frame.fromPassId("0169552957", 0x1a),
    Rdm6300Frame.fromPassId("4000000000"),
    Rdm6300Frame.fromPassId("0000000001", 7),
  ],
  encode: (f) => f.toBuffer(),
  key: (f) => `${f.version}/${f.passId}`,
  corrupt: hexBytes("02 31 41 30 41 31 42 32 43 33 44 31 42 03"),
  arbitrary: fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([v, t]) => Rdm6300Frame.of(v, t)),
  isValid: (f) => Rdm6300Frame.fromBuffer(f.toBuffer()).ok,
};

describe.each([gy, rdm] as BinaryCase<unknown>[])("the $name parser", (c) => {
  const [first, second] = c.frames;
  const firstBytes = c.encode(first);
  const secondBytes = c.encode(second);
  const keys = (frames: unknown[]) => frames.map(c.key);

  it("reads one frame", async () => {
    const { frames, drops } = await parseChunks(c.parser(), [firstBytes]);
    expect(keys(frames)).toEqual([c.key(first)]);
    expect(drops).toEqual([]);
  });

  it("reads two frames in one chunk", async () => {
    const { frames } = await parseChunks(c.parser(), [Buffer.concat([firstBytes, secondBytes])]);
    expect(keys(frames)).toEqual([c.key(first), c.key(second)]);
  });

  it("reads a frame split at every byte position", async () => {
    for (const chunks of allSplits(firstBytes)) {
      const { frames, drops } = await parseChunks(c.parser(), chunks);
      expect(keys(frames)).toEqual([c.key(first)]);
      expect(drops).toEqual([]);
    }
  });

  it("reads a frame arriving one byte at a time", async () => {
    const bytes = Buffer.concat([firstBytes, secondBytes]);
    const { frames } = await parseChunks(
      c.parser(),
      [...bytes].map((b) => Buffer.from([b])),
    );
    expect(keys(frames)).toEqual([c.key(first), c.key(second)]);
  });

  it("skips garbage before a frame and says so", async () => {
    const { frames, drops } = await parseChunks(c.parser(), [
      Buffer.concat([Buffer.from("noise!\x00\xff"), firstBytes]),
    ]);
    expect(keys(frames)).toEqual([c.key(first)]);
    expect(drops.map((d) => d.reason)).toContain("garbage");
  });

  it("drops a bad checksum and reads the good frame after it", async () => {
    const { frames, drops } = await parseChunks(c.parser(), [
      Buffer.concat([c.corrupt, secondBytes]),
    ]);
    expect(keys(frames)).toEqual([c.key(second)]);
    expect(drops.map((d) => d.reason)).toContain("checksum");
  });

  it("stays bounded on a long run of input without frames", async () => {
    const parser = c.parser();
    const { frames, drops } = await parseChunks(
      parser,
      Array.from({ length: 200 }, () => Buffer.alloc(1024, 0x41)),
    );
    expect(frames).toEqual([]);
    expect(drops.reduce((sum, d) => sum + d.bytes, 0)).toBe(200 * 1024);
    expect((parser as unknown as { buffer: Buffer }).buffer.length).toBeLessThan(16);
  });

  it("never throws on random bytes, and every frame it yields is valid", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
        async (chunks) => {
          const { frames } = await parseChunks(
            c.parser(),
            chunks.map((chunk) => Buffer.from(chunk)),
          );
          for (const frame of frames) expect(c.isValid(frame)).toBe(true);
        },
      ),
    );
  });

  it("recovers every valid frame embedded in random noise", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 30 }), c.arbitrary), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.integer({ min: 1, max: 40 }),
        async (pieces, cut) => {
          const stream = Buffer.concat(
            pieces.flatMap(([noise, frame]) => [Buffer.from(noise), c.encode(frame)]),
          );
          const chunks: Buffer[] = [];
          for (let i = 0; i < stream.length; i += cut) chunks.push(stream.subarray(i, i + cut));
          const { frames } = await parseChunks(c.parser(), chunks);
          const found = keys(frames);
          // Every embedded frame comes out, in order (noise may, rarely, hold a valid frame of its own).
          let at = 0;
          for (const [, frame] of pieces) {
            const index = found.indexOf(c.key(frame), at);
            expect(index).toBeGreaterThanOrEqual(at);
            at = index + 1;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
