import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isPassText, QrFrame, QrLineParser } from "../../../gateway/devices/qr-line/index.js";
import {
  compilePattern,
  DEFAULT_PATTERN,
  TextLineFrame,
  TextLineParser,
} from "../../../gateway/devices/text-line/index.js";
import { allSplits, parseChunks } from "../../helpers/parse.js";

const vectors = JSON.parse(
  readFileSync(new URL("../../vectors.json", import.meta.url), "utf8"),
) as {
  "text-line": { line: string; temp_c?: number }[];
  "qr-line": { bytes: string; code?: string }[];
};
const pattern = compilePattern(DEFAULT_PATTERN);
const temps = (frames: TextLineFrame[]) => frames.map((f) => f.tempC);

describe("text-line", () => {
  it.each(vectors["text-line"])("reads the known-good vector %j", async (vector) => {
    const { frames, drops } = await parseChunks<TextLineFrame>(new TextLineParser(pattern), [
      Buffer.from(vector.line),
    ]);
    if (vector.temp_c === undefined) {
      expect(frames).toEqual([]);
      expect(drops.map((d) => d.reason)).toEqual(["no_match"]);
    } else {
      expect(temps(frames)).toEqual([vector.temp_c]);
    }
  });

  it.each([
    ["T:36.5", 36.5],
    ["TEMP=36.5C", 36.5],
    ["36.5", 36.5],
    ["t: 36.50 °C", 36.5],
    ["  37.2  ", 37.2],
    ["TEMP = 38", 38],
  ])("the default pattern reads %j as %f", (line, value) => {
    expect(TextLineFrame.fromLine(line, pattern)).toEqual({
      ok: true,
      frame: TextLineFrame.of(value),
    });
  });

  it.each(["ERR", "T:", "T:abc", "36.5.1", "HUM=40%", ""])(
    "the default pattern refuses %j",
    (line) => {
      expect(TextLineFrame.fromLine(line, pattern)).toMatchObject({
        ok: false,
        reason: "no_match",
      });
    },
  );

  it("takes a configured pattern, which must name its group temp", () => {
    const custom = compilePattern(String.raw`^OBJ\s+(?<temp>\d+\.\d+)`);
    expect(TextLineFrame.fromLine("OBJ 36.71 AMB 20.00", custom)).toEqual({
      ok: true,
      frame: TextLineFrame.of(36.71),
    });
    expect(() => compilePattern(String.raw`^(\d+)$`)).toThrow(/named group/);
  });

  it("ends lines on CR, LF and CRLF, also across chunks, and skips empty lines", async () => {
    const { frames } = await parseChunks<TextLineFrame>(new TextLineParser(pattern), [
      Buffer.from("T:36.1\r"),
      Buffer.from("\nT:36.2\n\nT:36.3\r"),
      Buffer.from("T:36.4\r\n\r\n"),
    ]);
    expect(temps(frames)).toEqual([36.1, 36.2, 36.3, 36.4]);
  });

  it("reads two lines split at every byte position", async () => {
    const bytes = Buffer.concat([
      TextLineFrame.of(36.8).toBuffer(),
      TextLineFrame.of(37.9).toBuffer("\n"),
    ]);
    for (const chunks of allSplits(bytes)) {
      expect(
        temps((await parseChunks<TextLineFrame>(new TextLineParser(pattern), chunks)).frames),
      ).toEqual([36.8, 37.9]);
    }
  });

  it("drops a line over 256 bytes whole and reads the next one", async () => {
    const { frames, drops } = await parseChunks<TextLineFrame>(new TextLineParser(pattern), [
      Buffer.from("T:3".padEnd(300, "9")),
      Buffer.from("9999\r\nT:36.6\r\n"),
    ]);
    expect(temps(frames)).toEqual([36.6]);
    expect(drops.map((d) => d.reason)).toEqual(["overflow"]);
  });

  it("never throws on random bytes; each frame came from a line the pattern accepts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 20 }),
        async (chunks) => {
          const { frames } = await parseChunks<TextLineFrame>(
            new TextLineParser(pattern),
            chunks.map((c) => Buffer.from(c)),
          );
          for (const frame of frames) expect(Number.isFinite(frame.tempC)).toBe(true);
        },
      ),
    );
  });

  it("recovers every reading between lines of noise", async () => {
    const noiseLine = fc.string({ maxLength: 40 }).map((s) => `${s.replace(/[\r\n]/g, "")}x\n`);
    const reading = fc.integer({ min: 2500, max: 4500 }).map((n) => TextLineFrame.of(n / 100));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(noiseLine, reading), { minLength: 1, maxLength: 10 }),
        async (pieces) => {
          const stream = Buffer.concat(
            pieces.flatMap(([noise, frame]) => [Buffer.from(noise), frame.toBuffer()]),
          );
          const { frames } = await parseChunks<TextLineFrame>(new TextLineParser(pattern), [
            stream.subarray(0, 7),
            stream.subarray(7),
          ]);
          expect(
            temps(frames).filter((t) => pieces.some(([, f]) => f.tempC === t)).length,
          ).toBeGreaterThanOrEqual(pieces.length);
        },
      ),
    );
  });
});

describe("qr-line", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Feeds chunks with pauses between them (fake time), then lets the idle timer fire. */
  async function scan(chunks: (Buffer | number)[], idleMs = 100) {
    const parser = new QrLineParser(idleMs);
    const codes: string[] = [];
    const drops: string[] = [];
    parser.on("data", (frame: QrFrame) => codes.push(frame.code));
    parser.on("drop", (drop: { reason: string }) => drops.push(drop.reason));
    for (const chunk of chunks) {
      if (typeof chunk === "number") await vi.advanceTimersByTimeAsync(chunk);
      else parser.write(chunk);
    }
    await vi.advanceTimersByTimeAsync(idleMs + 1);
    return { codes, drops };
  }

  it.each(vectors["qr-line"])("reads the known-good vector %j", async (vector) => {
    const { codes } = await scan([Buffer.from(vector.bytes)]);
    expect(codes).toEqual(vector.code === undefined ? [] : [vector.code]);
  });

  it("reads codes ended by CR, LF, CRLF, and by an idle gap with no suffix", async () => {
    for (const suffix of ["\r", "\n", "\r\n", ""] as const) {
      const { codes } = await scan([QrFrame.of("RES-7F3A-2291").toBuffer(suffix)]);
      expect(codes, JSON.stringify(suffix)).toEqual(["RES-7F3A-2291"]);
    }
  });

  it("keeps a code whose bytes trickle in faster than the idle gap together", async () => {
    const { codes } = await scan([
      Buffer.from("VIS-"),
      30,
      Buffer.from("20261122"),
      30,
      Buffer.from("-0815"),
    ]);
    expect(codes).toEqual(["VIS-20261122-0815"]);
  });

  it("separates two codes without suffix by the pause between them", async () => {
    const { codes } = await scan([Buffer.from("AAA-1"), 150, Buffer.from("BBB-2")]);
    expect(codes).toEqual(["AAA-1", "BBB-2"]);
  });

  it("reads several suffixed codes in one burst and ignores %%NoRead", async () => {
    const { codes, drops } = await scan([Buffer.from("A1\r%%NoRead\rB2\r\nC3\n")]);
    expect(codes).toEqual(["A1", "B2", "C3"]);
    expect(drops).toEqual([]);
  });

  it("drops a code over 512 bytes and reads the next one", async () => {
    const { codes, drops } = await scan([
      Buffer.from(`${"X".repeat(600)}\r`),
      Buffer.from("OK-1\r"),
    ]);
    expect(codes).toEqual(["OK-1"]);
    expect(drops).toEqual(["overflow"]);
  });

  it("keeps UTF-8 text whole", async () => {
    const { codes } = await scan([Buffer.from("通行证-0815\r")]);
    expect(codes).toEqual(["通行证-0815"]);
  });

  it("drops control characters and bytes that are not UTF-8 as bad frames, not scans", async () => {
    const { codes, drops } = await scan([
      Buffer.from("AB\u0007CD\r"),
      Buffer.from([0x41, 0xff, 0xfe, 0x42, 0x0d]),
      Buffer.from("X\u0085Y\r"),
      Buffer.from("GOOD-1\r"),
    ]);
    expect(codes).toEqual(["GOOD-1"]);
    expect(drops).toEqual(["malformed", "malformed", "malformed"]);
  });

  it("turns random line noise into almost no scans (property)", async () => {
    // 64 KiB of noise: a code needs a run of printable text between line ends, and noise
    // rarely makes one; what it makes is counted as bad frames.
    let seed = 7;
    const noise = Buffer.from(
      Buffer.alloc(65_536, 0).map(() => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed >> 16;
      }),
    );
    const { codes, drops } = await scan([noise]);
    // Measured: 2 codes and 532 bad frames from this noise (before: hundreds of "scans").
    expect(drops.length).toBeGreaterThan(100);
    expect(codes.length).toBeLessThan(drops.length / 50);
    for (const code of codes) expect(isPassText(code)).toBe(true);
  });
});
