import type { Transform } from "node:stream";
import { SerialPort } from "serialport";
import { PtyPair } from "../firmware-sim/serial/pty.js";
import { Gy90614Frame, Gy90614Parser } from "../gateway/devices/gy-mcu90614/index.js";
import { QrFrame, QrLineParser } from "../gateway/devices/qr-line/index.js";
import { Rdm6300Frame, Rdm6300Parser } from "../gateway/devices/rdm6300/index.js";
import {
  compilePattern,
  DEFAULT_PATTERN,
  TextLineFrame,
  TextLineParser,
} from "../gateway/devices/text-line/index.js";
import { spawnGatewayProcess, type Target } from "./harness.js";

/** Frames/s through each protocol's parser, the bytes already in memory (chunks of 4 KiB). */
export async function parserRates(
  durationMs: number,
): Promise<{ protocol: string; framesPerS: number; mbPerS: number }[]> {
  const cases: [string, () => Transform, Buffer][] = [
    ["gy-mcu90614", () => new Gy90614Parser(), Gy90614Frame.of(36.62, 22.1).toBuffer()],
    [
      "text-line",
      () => new TextLineParser(compilePattern(DEFAULT_PATTERN)),
      TextLineFrame.of(36.62).toBuffer(),
    ],
    ["rdm6300", () => new Rdm6300Parser(), Rdm6300Frame.fromPassId("0169552957").toBuffer()],
    ["qr-line", () => new QrLineParser(100), QrFrame.of("RES-7F3A-2291").toBuffer("\r")],
  ];
  const results = [];
  for (const [protocol, make, frame] of cases) {
    const chunk = Buffer.concat(
      Array.from({ length: Math.floor(4096 / frame.length) }, () => frame),
    );
    const perChunk = Math.floor(4096 / frame.length);
    const parser = make();
    let frames = 0;
    parser.on("data", () => {
      frames += 1;
    });
    const start = performance.now();
    let written = 0;
    while (performance.now() - start < durationMs) {
      for (let i = 0; i < 100; i++) parser.write(chunk);
      written += 100;
      // Let the stream machinery deliver (QR frames come out of a timer-based stage).
      await new Promise((resolve) => setImmediate(resolve));
    }
    parser.end();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const seconds = (performance.now() - start) / 1000;
    const expected = written * perChunk;
    results.push({
      protocol,
      framesPerS: Math.min(frames, expected) / seconds,
      mbPerS: (written * chunk.length) / seconds / 1e6,
    });
  }
  return results;
}

/**
 * Readings/s from a pty through the whole gateway (text-line thermometer: one line, one
 * reading), beside the raw byte rate of the same pty pair read by a bare node-serialport
 * port, as lines/s.
 */
export async function ptyRates(
  distDir: string,
  dir: string,
  lines: number,
): Promise<{ gatewayPerS: number; rawPerS: number }> {
  const line = TextLineFrame.of(36.6).toBuffer();
  const payload = Buffer.concat(Array.from({ length: lines }, () => line));

  const rawPair = PtyPair.inDir(dir, "raw");
  await rawPair.plug();
  const reader = new SerialPort({ path: rawPair.gatewayPath, baudRate: 115200 });
  await new Promise((resolve) => reader.once("open", resolve));
  const writer = new SerialPort({ path: rawPair.devicePath, baudRate: 115200 });
  await new Promise((resolve) => writer.once("open", resolve));
  let received = 0;
  const rawStart = performance.now();
  const rawDone = new Promise<void>((resolve) => {
    reader.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= payload.length) resolve();
    });
  });
  writer.write(payload);
  await rawDone;
  const rawPerS = lines / ((performance.now() - rawStart) / 1000);
  await new Promise((resolve) => reader.close(resolve));
  await new Promise((resolve) => writer.close(resolve));
  await rawPair.unplug();

  const pair = PtyPair.inDir(dir, "thermo");
  await pair.plug();
  const target: Target = await spawnGatewayProcess(distDir, dir, (config) => {
    config.devices = [
      {
        id: "thermo-pty",
        kind: "thermometer",
        checkpoint: "gate-1",
        transport: "serial",
        protocol: "text-line",
        path: pair.gatewayPath,
      },
    ];
  });
  const device = new SerialPort({ path: pair.devicePath, baudRate: 115200 });
  await new Promise((resolve) => device.once("open", resolve));
  const stored = async () => {
    const text = await (await fetch(`http://127.0.0.1:${target.httpPort}/metrics`)).text();
    return [...text.matchAll(/^checkpoint_readings_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };
  // Wait for the gateway to have the port open.
  for (let i = 0; i < 200; i++) {
    const health = (await (
      await fetch(`http://127.0.0.1:${target.httpPort}/api/health`)
    ).json()) as { devices: { online: boolean }[] };
    if (health.devices[0]?.online) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const start = performance.now();
  device.write(payload);
  while ((await stored()) < lines && performance.now() - start < 60_000)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const gatewayPerS = (await stored()) / ((performance.now() - start) / 1000);
  await new Promise((resolve) => device.close(resolve));
  target.child.kill("SIGTERM");
  await new Promise((resolve) => target.child.once("exit", resolve));
  await pair.unplug();
  return { gatewayPerS, rawPerS };
}
