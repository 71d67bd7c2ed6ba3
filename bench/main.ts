#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store } from "../gateway/store/store.js";
import {
  connectDevices,
  Kiosk,
  percentile,
  processStats,
  publishAtRate,
  saturate,
  startBareAedes,
  startGateway,
  stop,
} from "./harness.js";

/**
 * `npm run bench`: end-to-end figures for the gateway (MQTT QoS 1 publish -> fsync-committed
 * -> PUBACK, pushed to 10 kiosk clients) beside the same figures for its bare parts, measured
 * in one run on this machine. It prints figures; it asserts nothing (tests never time).
 */

const quick = process.argv.includes("--quick");
const DEVICES = 10;
const WINDOW = 100;
const KIOSKS = 10;
const seconds = (full: number, short: number) => (quick ? short : full) * 1000;
const dist = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "cg-bench-"));
const rows: [string, string, string][] = [];
const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function bareAedes(): Promise<number> {
  const target = await startBareAedes(dist, dir);
  const devices = await connectDevices(target.mqttPort, DEVICES, false);
  await saturate(devices, WINDOW, 1000);
  const durationMs = seconds(5, 3);
  const acked = await saturate(devices, WINDOW, durationMs);
  await Promise.all(devices.map((d) => d.endAsync(true)));
  await stop(target.child);
  return acked / (durationMs / 1000);
}

function sqliteAlone(): number {
  // The gateway's own store and statements, batches the size group commit forms at saturation.
  const store = Store.open(join(dir, "sqlite-alone.db"), "gw-bench");
  const batch = 500;
  const durationMs = seconds(3, 2);
  const end = Date.now() + durationMs;
  let rowsWritten = 0;
  while (Date.now() < end) {
    store.writeBatch(() => {
      for (let i = 0; i < batch; i++) {
        store.readings.insert({
          ts_ms: Date.now(),
          device_id: "thermo-0",
          checkpoint_id: "gate-1",
          temp_c: 36.6,
          raw_c: 36.6,
          ambient_c: null,
          status: "normal",
          pass_id: null,
          msg_id: `s${rowsWritten + i}`,
        });
      }
    });
    rowsWritten += batch;
  }
  store.close();
  return rowsWritten / (durationMs / 1000);
}

async function waitForKiosks(kiosks: Kiosk[], expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (kiosks.some((k) => k.readings < expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function gatewayRuns() {
  const target = await startGateway(dist, dir, DEVICES);
  const kiosks = await Promise.all(Array.from({ length: KIOSKS }, () => Kiosk.connect(target.httpPort)));
  const devices = await connectDevices(target.mqttPort, DEVICES, true);
  const result: Record<string, number> = {};

  // Saturation: as fast as PUBACKs come back, 10 devices x 100 in flight.
  await saturate(devices, WINDOW, 1000);
  await waitForKiosks(kiosks, 0);
  const warm = kiosks.map((k) => k.readings);
  let before = await processStats(target.httpPort);
  const satMs = seconds(10, 4);
  const acked = await saturate(devices, WINDOW, satMs);
  let after = await processStats(target.httpPort);
  await waitForKiosks(kiosks, (warm[0] ?? 0) + acked);
  result.saturationRate = acked / (satMs / 1000);
  result.saturationCpuUs = ((after.cpuS - before.cpuS) * 1e6) / acked;
  result.lost = kiosks.reduce((sum, k, i) => sum + (acked - (k.readings - (warm[i] ?? 0))), 0);
  result.peakRssMb = after.rssBytes / 1e6;

  // Latency at fixed rates: publish time -> the reading arrives at each of the 10 kiosks.
  for (const rate of [1000, 20_000]) {
    const sentAt = new Map<string, bigint>();
    for (const k of kiosks) {
      k.reset();
      k.measure = sentAt;
    }
    before = await processStats(target.httpPort);
    const durationMs = seconds(rate === 1000 ? 10 : 5, 3);
    const sent = await publishAtRate(devices, rate, durationMs, sentAt);
    await waitForKiosks(kiosks, sentAt.size);
    after = await processStats(target.httpPort);
    const latencies = kiosks.flatMap((k) => k.latenciesUs);
    result[`rate${rate}Actual`] = sentAt.size / (durationMs / 1000);
    result[`p50_${rate}`] = percentile(latencies, 50) / 1000;
    result[`p99_${rate}`] = percentile(latencies, 99) / 1000;
    result[`cpu_${rate}`] = ((after.cpuS - before.cpuS) * 1e6) / Math.max(sent, sentAt.size);
    result[`lost_${rate}`] = sentAt.size * KIOSKS - kiosks.reduce((sum, k) => sum + k.readings, 0);
    result.peakRssMb = Math.max(result.peakRssMb ?? 0, after.rssBytes / 1e6);
  }
  for (const k of kiosks) k.measure = null;

  // Memory over a long run at a steady 5,000 readings/s.
  const soakMs = seconds(60, 15);
  const samples: number[] = [];
  const sampler = setInterval(async () => samples.push((await processStats(target.httpPort)).rssBytes / 1e6), 5000);
  await publishAtRate(devices, 5000, soakMs, new Map());
  clearInterval(sampler);
  result.rssFirstMb = samples[0] ?? Number.NaN;
  result.rssLastMb = samples.at(-1) ?? Number.NaN;
  result.rssMaxMb = Math.max(...samples);
  result.peakRssMb = Math.max(result.peakRssMb ?? 0, result.rssMaxMb);

  await Promise.all(devices.map((d) => d.endAsync(true)));
  for (const k of kiosks) k.ws.terminate();
  await stop(target.child);
  return result;
}

log(`checkpoint-gateway bench${quick ? " (quick)" : ""}: ${DEVICES} MQTT devices x ${WINDOW} in flight, ${KIOSKS} kiosk clients, QoS 1, synchronous=FULL`);
const aedesRate = await bareAedes();
const sqliteRate = sqliteAlone();
const g = await gatewayRuns();
rmSync(dir, { recursive: true, force: true });

rows.push(["bare aedes, QoS 1 msgs/s (no hooks, no storage)", fmt(aedesRate), ""]);
rows.push(["SQLite alone, readings/s (gateway store, batches of 500, fsync each)", fmt(sqliteRate), ""]);
rows.push(["gateway end to end, readings/s sustained", fmt(g.saturationRate ?? 0), ">= 30,000"]);
rows.push(["  readings lost (10 kiosks x acknowledged - received)", fmt(g.lost ?? 0), "0"]);
rows.push(["  ratio to bare aedes", `${fmt((g.saturationRate ?? 0) / aedesRate, 2)}x`, ""]);
rows.push(["  ratio to SQLite alone", `${fmt((g.saturationRate ?? 0) / sqliteRate, 2)}x`, ""]);
rows.push(["  CPU per reading at saturation, µs", fmt(g.saturationCpuUs ?? 0, 1), "<= 20"]);
for (const rate of [1000, 20_000]) {
  rows.push([`at ${fmt(rate)}/s (achieved ${fmt(g[`rate${rate}Actual`] ?? 0)}/s): publish -> kiosk p50 / p99, ms`, `${fmt(g[`p50_${rate}`] ?? 0, 2)} / ${fmt(g[`p99_${rate}`] ?? 0, 2)}`, "p99 <= 10"]);
  rows.push([`  CPU per reading at ${fmt(rate)}/s, µs`, fmt(g[`cpu_${rate}`] ?? 0, 1), rate === 1000 ? "<= 100" : ""]);
  rows.push([`  readings lost at ${fmt(rate)}/s`, fmt(g[`lost_${rate}`] ?? 0), "0"]);
}
rows.push([`RSS at 5,000/s over ${quick ? 15 : 60} s: first / last / max sample, MB`, `${fmt(g.rssFirstMb ?? 0)} / ${fmt(g.rssLastMb ?? 0)} / ${fmt(g.rssMaxMb ?? 0)}`, "flat"]);
rows.push(["peak RSS of the gateway, MB", fmt(g.peakRssMb ?? 0), ""]);

const width = Math.max(...rows.map((r) => r[0].length));
log("");
log(`${"figure".padEnd(width)}  ${"measured".padStart(16)}  target`);
for (const [name, value, target] of rows) log(`${name.padEnd(width)}  ${value.padStart(16)}  ${target}`);
