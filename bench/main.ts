#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Store } from "../gateway/store/store.js";
import { cliTimes } from "./cli.js";
import { buildOldCore, killTrials, OLD_CORE_COMMIT, outboxQueries, removeOldCore } from "./core.js";
import { type DistrictFigures, districtFigures } from "./district.js";
import { externalBrokerRate } from "./external.js";
import {
  connectDevices,
  connectKiosks,
  cpuOf,
  percentile,
  publishAtRate,
  rssMbOf,
  saturate,
  startBareAedes,
  startGateway,
  stop,
  type Target,
} from "./harness.js";
import { hostileFigures } from "./hostile.js";
import { exportRate, fillReadings, logFile, passageReasonTimes, queryTimes } from "./logs.js";
import { type PageBytes, pageFigures } from "./pages.js";
import type { RawKiosk } from "./raw-clients.js";
import { parserRates, ptyRates } from "./serial.js";
import { type TerminalFigures, terminalFigures } from "./terminals.js";
import { drainRate, saturationWithUpstream } from "./upstream.js";

/**
 * `npm run bench`: end-to-end figures for the gateway (MQTT QoS 1 publish -> fsync-committed
 * -> PUBACK, pushed to 10 kiosk clients) beside the same figures for its bare parts, measured
 * in one run on this machine. The system under test runs in its own process; its CPU and
 * memory are read from /proc. It prints figures and asserts nothing (tests never time).
 * `--quick` shortens every phase (for a smoke run, not for the record); `--pages` measures only
 * the pages (bytes transferred, kiosk times in Chromium); `--cli` only the command line's times;
 * `--terminals` only the network terminals' ingest; `--district` only the district workers;
 * `--core` only the gateway's core beside an older core built from git in the same run
 * (`--old-core <commit>`, by default OLD_CORE_COMMIT) and their bare parts.
 */

const quick = process.argv.includes("--quick");
const DEVICES = 10;
const WINDOW = 100;
const KIOSKS = 10;
const seconds = (full: number, short: number) => (quick ? short : full) * 1000;
const dist = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "cg-bench-"));
const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The pages' rows of the table: bytes per page, and the kiosk's times in Chromium. */
function pageRows(pages: Awaited<ReturnType<typeof pageFigures>>): [string, string, string][] {
  const kb = (bytes: number) => fmt(bytes / 1024, 1);
  const rows: [string, string, string][] = pages.bytes.map((b: PageBytes) => [
    `${b.page}: bytes transferred with all it loads (${b.files} files), compressed / plain, kB`,
    `${kb(b.compressed)} / ${kb(b.plain)} (${fmt(b.compressed / b.plain, 2)}x)`,
    b.page === "/kiosk" ? "< 50" : "",
  ]);
  if (typeof pages.kiosk === "string") rows.push(["kiosk in Chromium", pages.kiosk, ""]);
  else
    for (const k of pages.kiosk)
      rows.push([
        `kiosk in Chromium, CPU ${k.throttle === 1 ? "unthrottled" : `throttled ${k.throttle}x`}: open -> live; publish -> shown, ms`,
        `${fmt(k.readyMs)}; ${fmt(k.shownMs)}`,
        "",
      ]);
  return rows;
}

/** The command line's rows: each command's time, and its ratio to a bare Node start. */
function cliRows(times: ReturnType<typeof cliTimes>): [string, string, string][] {
  const bare = times.at(-1)?.ms ?? Number.NaN;
  return times.map((t) => [
    `${t.command}, ms (median of 5)`,
    `${fmt(t.ms)}${t === times.at(-1) ? "" : ` (${fmt(t.ms / bare, 1)}x bare Node)`}`,
    t.command.includes("--help") || t.command.includes("--version") ? "< 1,000" : "",
  ]);
}

/** The network terminals' rows: events/s and CPU per event, JSON and with a picture, beside MQTT. */
function terminalRows(t: TerminalFigures): [string, string, string][] {
  return [
    [
      "20 Hikvision terminals posting JSON (each waits for its 200): events/s; CPU per event, µs",
      `${fmt(t.jsonPerS)}; ${fmt(t.jsonCpuUs)} (${fmt(t.jsonPerS / t.mqttPerS, 2)}x MQTT's rate, ${fmt(t.jsonCpuUs / t.mqttCpuUs, 1)}x its CPU)`,
      "",
    ],
    [
      "  the same with a 60 kB picture part (multipart, dropped): events/s; CPU per event, µs",
      `${fmt(t.picturePerS)}; ${fmt(t.pictureCpuUs)}`,
      "",
    ],
    [
      "  MQTT ingest in the same run (10 devices, QoS 1): readings/s; CPU per reading, µs",
      `${fmt(t.mqttPerS)}; ${fmt(t.mqttCpuUs, 1)}`,
      "",
    ],
  ];
}

/** The district's rows: events/s into PostgreSQL by workers, beside the bare batched insert. */
function districtRows(d: DistrictFigures): [string, string, string][] {
  return [
    ...d.byWorkers.flatMap((w): [string, string, string][] => [
      [
        `district: ${fmt(d.events)} passages from 200 gateways via Mosquitto into PostgreSQL, ${w.workers} worker(s) x 32 connections: events/s`,
        `${fmt(w.perS)} (${fmt(w.perS / d.barePerS, 2)}x the bare insert)`,
        "",
      ],
      [
        `  the same while one hostile account sends ${fmt(w.hostile.forgeries)} forgeries and garbage (10% of all): all events/s; passages/s`,
        `${fmt(w.hostile.perS)}; ${fmt(w.hostile.goodPerS)} (${fmt(w.hostile.goodPerS / w.perS, 2)}x clean)`,
        "",
      ],
    ]),
    [
      "  bare part: the same rows by one process, multi-row INSERTs of 500, no broker: rows/s",
      fmt(d.barePerS),
      "",
    ],
    [
      `district: a poison event's arrival -> the next good event stored (1 worker), ${d.poison.samples} one at a time: p50 / p99, ms`,
      `${fmt(d.poison.p50, 1)} / ${fmt(d.poison.p99, 1)}`,
      "",
    ],
    [
      `district: a fever at a gateway -> on the district console (WebSocket), ${d.latency.samples} one at a time: p50 / p99, ms`,
      `${fmt(d.latency.p50, 1)} / ${fmt(d.latency.p99, 1)}`,
      "",
    ],
    [
      `district console queries over ${fmt(d.queries.rows)} readings and as many passages (200 gateways, 60 days; filled in ${fmt(d.queries.fillS)} s, ${fmt(d.queries.sizeMb / 1000, 1)} GB): median / slowest of 10, ms (rows)`,
      "",
      "",
    ],
    ...d.queries.times.map((q): [string, string, string] => [
      `  ${q.name}`,
      `${fmt(q.medianMs, 1)} / ${fmt(q.maxMs, 1)} (${fmt(q.rows)})`,
      "",
    ]),
  ];
}

if (process.argv.includes("--district")) {
  for (const [name, value, goal] of districtRows(await districtFigures(dist, dir, quick)))
    log(`${name}  ${value}  ${goal}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

if (process.argv.includes("--terminals")) {
  for (const [name, value, goal] of terminalRows(await terminalFigures(dist, dir, quick)))
    log(`${name}  ${value}  ${goal}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

if (process.argv.includes("--cli")) {
  for (const [name, value, goal] of cliRows(cliTimes(dist))) log(`${name}  ${value}  ${goal}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

if (process.argv.includes("--pages")) {
  const rows = pageRows(await pageFigures(dist, dir, quick));
  for (const [name, value, goal] of rows) log(`${name}  ${value}  ${goal}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

interface CpuFigure {
  totalUs: number;
  userUs: number;
}

/** CPU the target spent per message while `work` ran. */
async function cpuPer(
  target: Target,
  work: () => Promise<number>,
): Promise<{ count: number; cpu: CpuFigure }> {
  const pid = target.child.pid as number;
  const before = cpuOf(pid);
  const count = await work();
  const after = cpuOf(pid);
  const userUs = ((after.userS - before.userS) * 1e6) / count;
  const totalUs = ((after.userS + after.systemS - before.userS - before.systemS) * 1e6) / count;
  return { count, cpu: { totalUs, userUs } };
}

async function bareAedes() {
  const target = await startBareAedes(dist, dir);
  const devices = await connectDevices(target.mqttPort, DEVICES, false);
  await saturate(devices, WINDOW, 1000);
  const durationMs = seconds(5, 2);
  const saturation = await cpuPer(target, () => saturate(devices, WINDOW, durationMs));
  const at1000 = await cpuPer(target, () => publishAtRate(devices, 1000, seconds(5, 2), new Map()));
  for (const d of devices) d.close();
  await stop(target.child);
  return { rate: saturation.count / (durationMs / 1000), cpu: saturation.cpu, cpu1000: at1000.cpu };
}

function sqliteAlone(): { rate: number; userUs: number } {
  // The gateway's own store and statements, batches the size group commit forms at saturation.
  const store = Store.open(join(dir, "sqlite-alone.db"), "gw-bench");
  const batch = 500;
  const durationMs = seconds(3, 1);
  const end = Date.now() + durationMs;
  const cpu0 = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpu0);
  store.close();
  return { rate: rowsWritten / (durationMs / 1000), userUs: cpu.user / rowsWritten };
}

async function drained(kiosks: RawKiosk[], expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (kiosks.some((k) => k.readings < expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const lostOf = (kiosks: RawKiosk[], expected: number) =>
  kiosks.reduce((sum, k) => sum + Math.max(0, expected - k.readings), 0);

/**
 * The end-to-end runs against the gateway built in `distDir`. `full` adds 20,000/s and the
 * memory soak; without it (the old core, for comparison) only saturation and 1,000/s.
 */
async function gatewayRuns(distDir: string, full: boolean) {
  const target = await startGateway(distDir, dir, DEVICES);
  const pid = target.child.pid as number;
  const kiosks = await connectKiosks(target.httpPort, KIOSKS);
  const devices = await connectDevices(target.mqttPort, DEVICES, true);
  let peakRssMb = 0;
  const rssTimer = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMbOf(pid));
  }, 250);

  // Saturation: as fast as PUBACKs come back, 10 devices x 100 in flight.
  await saturate(devices, WINDOW, 1000);
  await drained(kiosks, 0);
  for (const k of kiosks) k.reset();
  const satMs = seconds(10, 3);
  const saturation = await cpuPer(target, () => saturate(devices, WINDOW, satMs));
  await drained(kiosks, saturation.count);
  const saturationLost = lostOf(kiosks, saturation.count);

  // Latency at fixed rates: publish -> the reading arrives at each of the 10 kiosks.
  const atRate: Record<
    number,
    { achieved: number; p50: number; p99: number; cpu: CpuFigure; lost: number }
  > = {};
  for (const rate of full ? [1000, 20_000] : [1000]) {
    const sentAt = new Map<string, bigint>();
    for (const k of kiosks) {
      k.reset();
      k.measure = sentAt;
    }
    const durationMs = seconds(10, 3);
    const run = await cpuPer(target, () => publishAtRate(devices, rate, durationMs, sentAt));
    await drained(kiosks, sentAt.size);
    const latencies = kiosks.flatMap((k) => k.latenciesUs);
    atRate[rate] = {
      achieved: sentAt.size / (durationMs / 1000),
      p50: percentile(latencies, 50) / 1000,
      p99: percentile(latencies, 99) / 1000,
      cpu: run.cpu,
      lost: lostOf(kiosks, sentAt.size),
    };
  }
  for (const k of kiosks) k.measure = null;

  // Memory over a long run at a steady 5,000 readings/s.
  const soakMs = full ? seconds(60, 10) : 0;
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMbOf(pid)), 5000);
  if (soakMs > 0) await publishAtRate(devices, 5000, soakMs, new Map());
  clearInterval(sampler);
  clearInterval(rssTimer);

  const metrics = await (await fetch(`http://127.0.0.1:${target.httpPort}/metrics`)).text();
  const droppedKiosks = [
    ...metrics.matchAll(/^checkpoint_ws_dropped_total\{[^}]*\} (\d+)/gm),
  ].reduce((sum, m) => sum + Number(m[1]), 0);
  for (const d of devices) d.close();
  for (const k of kiosks) k.close();
  await stop(target.child);
  return { saturation, satMs, saturationLost, atRate, samples, peakRssMb, droppedKiosks };
}

/** Saturation alone (10 kiosks connected), for a second round of the new and the old core. */
async function saturationOf(distDir: string): Promise<{ rate: number; cpu: CpuFigure }> {
  const target = await startGateway(distDir, dir, DEVICES);
  const kiosks = await connectKiosks(target.httpPort, KIOSKS);
  const devices = await connectDevices(target.mqttPort, DEVICES, true);
  await saturate(devices, WINDOW, 1000);
  const satMs = seconds(10, 3);
  const run = await cpuPer(target, () => saturate(devices, WINDOW, satMs));
  for (const d of devices) d.close();
  for (const k of kiosks) k.close();
  await stop(target.child);
  return { rate: run.count / (satMs / 1000), cpu: run.cpu };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const oldIndex = process.argv.indexOf("--old-core");
const oldCommit = (oldIndex >= 0 ? process.argv[oldIndex + 1] : undefined) ?? OLD_CORE_COMMIT;

/** The figures table: a figure, what was measured, its target. */
function printRows(rows: [string, string, string][]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  log("");
  log(`${"figure".padEnd(width)}  ${"measured".padStart(valueWidth)}  target`);
  for (const [name, value, goal] of rows)
    log(`${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${goal}`);
}

/**
 * The core beside an older core, alternating rounds (so the comparison does not hang on one
 * moment's machine), with the bare parts measured in the same run.
 */
async function coreComparison(): Promise<[string, string, string][]> {
  const aedes = await bareAedes();
  const sqlite = sqliteAlone();
  const oldDist = buildOldCore(dirname(dist), dir, oldCommit);
  if (!oldDist) return [];
  const rounds = quick ? 2 : 4;
  const newRuns: { rate: number; cpu: CpuFigure }[] = [];
  const oldRuns: { rate: number; cpu: CpuFigure }[] = [];
  for (let round = 0; round < rounds; round++) {
    newRuns.push(await saturationOf(dist));
    oldRuns.push(await saturationOf(oldDist));
  }
  const g = await gatewayRuns(dist, false);
  const old = await gatewayRuns(oldDist, false);
  removeOldCore(dirname(dist), dir);
  const cell = (c: CpuFigure) => `${fmt(c.totalUs, 1)} (${fmt(c.userUs, 1)})`;
  const rates = (runs: typeof newRuns) => runs.map((r) => fmt(r.rate)).join(", ");
  const cpus = (runs: typeof newRuns) => mean(runs.map((r) => r.cpu.totalUs));
  const at = (runs: Awaited<ReturnType<typeof gatewayRuns>>) => runs.atRate[1000];
  const latency = (runs: Awaited<ReturnType<typeof gatewayRuns>>) => {
    const r = at(runs);
    return r ? `${fmt(r.p50, 2)} / ${fmt(r.p99, 2)}; ${cell(r.cpu)}` : "";
  };
  return [
    [`new core: readings/s sustained, ${rounds} rounds`, rates(newRuns), ""],
    [`old core (${oldCommit}), alternating with it: readings/s`, rates(oldRuns), ""],
    [
      "  ratio new / old, mean of the rounds (throughput; CPU per reading)",
      `${fmt(mean(newRuns.map((r) => r.rate)) / mean(oldRuns.map((r) => r.rate)), 2)}x; ${fmt(cpus(newRuns) / cpus(oldRuns), 2)}x`,
      "~1; ~1",
    ],
    [
      "new core at 1,000/s: publish -> kiosk p50 / p99, ms; CPU per reading, µs total (user)",
      latency(g),
      "",
    ],
    ["old core at 1,000/s: the same", latency(old), ""],
    [
      "  readings lost at saturation (new; old)",
      `${fmt(g.saturationLost)}; ${fmt(old.saturationLost)}`,
      "0; 0",
    ],
    ["bare aedes, QoS 1 msgs/s (no hooks, no storage, no kiosks)", fmt(aedes.rate), ""],
    ["SQLite alone: readings/s (gateway store, batches of 500, fsync each)", fmt(sqlite.rate), ""],
    [
      "ratio new core / bare aedes; / SQLite alone (throughput)",
      `${fmt(mean(newRuns.map((r) => r.rate)) / aedes.rate, 2)}x; ${fmt(mean(newRuns.map((r) => r.rate)) / sqlite.rate, 2)}x`,
      "",
    ],
  ];
}

if (process.argv.includes("--core")) {
  log(
    `checkpoint-gateway bench --core${quick ? " (quick)" : ""}: ${DEVICES} MQTT devices x ${WINDOW} in flight, ${KIOSKS} kiosk clients, QoS 1, ${new Date().toISOString()}`,
  );
  const rows = await coreComparison();
  rmSync(dir, { recursive: true, force: true });
  printRows(rows);
  process.exit(0);
}

log(
  `checkpoint-gateway bench${quick ? " (quick)" : ""}: ${DEVICES} MQTT devices x ${WINDOW} in flight, ${KIOSKS} kiosk clients, QoS 1, synchronous=FULL, ${new Date().toISOString()}`,
);
const parsers = await parserRates(seconds(2, 0.5));
const pty = await ptyRates(dist, dir, quick ? 5000 : 20_000);
const drain = await drainRate(dist, dir, quick ? 20_000 : 100_000);
const externalReadings = quick ? 2_000 : 10_000;
// One session (as before mqtt.connections) beside the default of 32 sessions sharing a subscription.
const viaExternalOne = await externalBrokerRate(dist, dir, Math.min(externalReadings, 3000), 1);
const viaExternal = await externalBrokerRate(dist, dir, externalReadings * 2, 32);
const aedes = await bareAedes();
const sqlite = sqliteAlone();
const g = await gatewayRuns(dist, true);
const oldDist = buildOldCore(dirname(dist), dir, oldCommit);
const old = oldDist ? await gatewayRuns(oldDist, false) : null;
// A second round of each, alternating, so the comparison does not hang on one moment's machine.
const newSecond = oldDist ? await saturationOf(dist) : null;
const oldSecond = oldDist ? await saturationOf(oldDist) : null;
const trials = quick ? 2 : 5;
const trialPeople = quick ? 200 : 500;
const killNew = await killTrials(join(dist, "gateway/main.js"), trials, trialPeople);
const killOld = oldDist
  ? await killTrials(join(oldDist, "gateway/main.js"), trials, trialPeople)
  : null;
if (oldDist) removeOldCore(dirname(dist), dir);
const hostile = await hostileFigures(dist, dir, quick);
const pages = await pageFigures(dist, dir, quick);
const queued = quick ? 100_000 : 1_000_000;
const queue = outboxQueries(dir, queued, 200);
const logSizes = quick ? [100_000] : [1_000_000, 10_000_000];
const logQueries: { rows: number; times: ReturnType<typeof queryTimes> }[] = [];
let exported: Awaited<ReturnType<typeof exportRate>> | undefined;
for (const rows of logSizes) {
  const path = logFile(dir, rows);
  fillReadings(path, rows);
  logQueries.push({ rows, times: queryTimes(path, rows, 200) });
  if (rows === logSizes[0]) exported = await exportRate(dist, dir, path);
}
const passageRows = quick ? 100_000 : 1_000_000;
const passageQueries = passageReasonTimes(logFile(dir, passageRows), passageRows, 200);
const withUpstream = await saturationWithUpstream(
  dist,
  dir,
  seconds(10, 3),
  DEVICES,
  WINDOW,
  KIOSKS,
);
// Measured here too (they need the work folder), printed with the rest below.
const terminals = await terminalFigures(dist, dir, quick);
const district = await districtFigures(dist, dir, quick);
rmSync(dir, { recursive: true, force: true });

const rate = g.saturation.count / (g.satMs / 1000);
const cpuCell = (c: CpuFigure) => `${fmt(c.totalUs, 1)} (${fmt(c.userUs, 1)})`;
const rows: [string, string, string][] = [
  ["gateway end to end: readings/s sustained", fmt(rate), ">= 30,000"],
  ["  readings lost (acknowledged, not received by all 10 kiosks)", fmt(g.saturationLost), "0"],
  ["  CPU per reading at saturation, µs total (user)", cpuCell(g.saturation.cpu), "<= 20"],
  ["bare aedes, QoS 1 msgs/s (no hooks, no storage, no kiosks)", fmt(aedes.rate), ""],
  ["  CPU per message at saturation, µs total (user)", cpuCell(aedes.cpu), ""],
  ["  CPU per message at 1,000/s, µs total (user)", cpuCell(aedes.cpu1000), ""],
  ["SQLite alone: readings/s (gateway store, batches of 500, fsync each)", fmt(sqlite.rate), ""],
  ["  user CPU per reading, µs", fmt(sqlite.userUs, 1), ""],
  ["ratio gateway / bare aedes (throughput)", `${fmt(rate / aedes.rate, 2)}x`, ""],
  ["ratio gateway / SQLite alone (throughput)", `${fmt(rate / sqlite.rate, 2)}x`, ">= 0.5"],
];
if (old && newSecond && oldSecond) {
  const oldRate = old.saturation.count / (old.satMs / 1000);
  const old1000 = old.atRate[1000];
  const newRates = [rate, newSecond.rate];
  const oldRates = [oldRate, oldSecond.rate];
  rows.push(
    [
      `old core (${oldCommit}), same run: readings/s sustained (rounds 1, 2)`,
      oldRates.map((r) => fmt(r)).join(", "),
      "",
    ],
    ["  CPU per reading at saturation, µs total (user), round 1", cpuCell(old.saturation.cpu), ""],
    [
      "  new core, rounds 1, 2 (alternating with the old)",
      newRates.map((r) => fmt(r)).join(", "),
      "",
    ],
    [
      "  ratio new core / old core, mean of the rounds (throughput; CPU per reading)",
      `${fmt(mean(newRates) / mean(oldRates), 2)}x; ${fmt(
        mean([g.saturation.cpu.totalUs, newSecond.cpu.totalUs]) /
          mean([old.saturation.cpu.totalUs, oldSecond.cpu.totalUs]),
        2,
      )}x`,
      ">= 1; <= 1",
    ],
  );
  if (old1000)
    rows.push(
      [
        "  old core at 1,000/s: publish -> kiosk p50 / p99, ms",
        `${fmt(old1000.p50, 2)} / ${fmt(old1000.p99, 2)}`,
        "",
      ],
      ["  old core CPU per reading at 1,000/s, µs total (user)", cpuCell(old1000.cpu), ""],
    );
}
const trialCells = (c: typeof killNew) =>
  `${fmt(c.ackedAtKill)} / ${fmt(c.stored)} / ${fmt(c.withoutPassage)} / ${fmt(c.feversWithoutAlert)} / ${fmt(c.reusedIds)} / ${fmt(c.lostAcknowledged)}`;
rows.push([
  `${trials} SIGKILL trials (${fmt(killNew.sent)} messages): acked at kill / stored / without passage / fevers without alert / reused ids / acked lost`,
  trialCells(killNew),
  "x / x / 0 / 0 / 0 / 0",
]);
if (killOld)
  rows.push([
    `  the same trials against the old core (${fmt(killOld.sent)} messages)`,
    trialCells(killOld),
    "",
  ]);
rows.push(
  [
    "RSS before / peak / after 8 sockets announcing a 256 MB CONNECT and 8 a 2 MB PUBLISH, MB",
    `${fmt(hostile.rss.before)} / ${fmt(hostile.rss.peak)} / ${fmt(hostile.rss.after)}`,
    "flat",
  ],
  [
    `/api/health while 100 anonymous kiosks replay from 0 (${hostile.replayedKiosks} done): p50 / p99, ms`,
    `${fmt(hostile.healthMs.p50, 2)} / ${fmt(hostile.healthMs.p99, 2)} (${fmt(hostile.healthMs.samples)} requests)`,
    "",
  ],
  [
    "good devices' readings/s calm / during a login storm (logins/s); ratio",
    `${fmt(hostile.throughput.calm)} / ${fmt(hostile.throughput.storm)} (${fmt(hostile.throughput.logins)}); ${fmt(hostile.throughput.storm / hostile.throughput.calm, 2)}x`,
    "",
  ],
);
rows.push(
  [
    `outbox with ${fmt(queued)} queued: depth / age query p50 / p99, ms`,
    `${fmt(queue.depthP50, 3)} / ${fmt(queue.depthP99, 3)}; ${fmt(queue.ageP50, 3)} / ${fmt(queue.ageP99, 3)}`,
    "",
  ],
  [
    "  before: count(*) / min(created_at_ms), p50 ms",
    `${fmt(queue.oldDepthP50, 2)} / ${fmt(queue.oldAgeP50, 2)}`,
    "",
  ],
);
for (const r of [1000, 20_000]) {
  const figure = g.atRate[r];
  if (!figure) continue;
  rows.push([
    `at ${fmt(r)}/s (achieved ${fmt(figure.achieved)}/s): publish -> kiosk p50 / p99, ms`,
    `${fmt(figure.p50, 2)} / ${fmt(figure.p99, 2)}`,
    "p99 <= 10",
  ]);
  rows.push([
    `  CPU per reading at ${fmt(r)}/s, µs total (user)`,
    cpuCell(figure.cpu),
    r === 1000 ? "<= 100" : "",
  ]);
  rows.push([`  readings lost at ${fmt(r)}/s`, fmt(figure.lost), "0"]);
}
rows.push([
  `RSS at 5,000/s over ${quick ? 10 : 60} s, a sample every 5 s, MB`,
  g.samples.map((m) => fmt(m)).join(" "),
  "flat",
]);
rows.push(["peak RSS of the gateway, MB", fmt(g.peakRssMb), ""]);
rows.push([
  "kiosk clients the gateway dropped as too slow (they stop receiving: counted as lost above)",
  fmt(g.droppedKiosks),
  "0",
]);
for (const p of parsers) {
  rows.push([
    `${p.protocol} parser, frames/s (bytes in memory)`,
    `${fmt(p.framesPerS)} (${fmt(p.mbPerS, 1)} MB/s)`,
    "",
  ]);
}
if (withUpstream) {
  rows.push([
    "gateway end to end with upstream on (outbox + forwarding), readings/s",
    fmt(withUpstream.perS),
    "",
  ]);
  rows.push([
    "  ratio upstream on / off; CPU per reading on, µs",
    `${fmt(withUpstream.perS / rate, 2)}x; ${fmt(withUpstream.cpuUs, 1)}`,
    "",
  ]);
}
for (const { rows: count, times } of logQueries) {
  for (const t of times)
    rows.push([
      `log page of 100 over ${fmt(count)} readings, ${t.filter}: p50 / p99, ms`,
      `${fmt(t.p50, 2)} / ${fmt(t.p99, 2)}`,
      "",
    ]);
}
for (const t of passageQueries)
  rows.push([
    `log page of 100 over ${fmt(passageRows)} ${t.filter}: p50 / p99, ms`,
    `${fmt(t.p50, 2)} / ${fmt(t.p99, 2)}`,
    "",
  ]);
if (exported) {
  rows.push([
    `CSV export of ${fmt(exported.rows)} readings: rows/s; gateway peak RSS; CPU`,
    `${fmt(exported.rowsPerS)}; ${fmt(exported.peakRssMb)} MB; ${fmt(exported.cpuS, 1)} s`,
    "flat memory",
  ]);
}
if (drain) {
  rows.push([
    `upstream backlog drain, events/s (${quick ? "20,000" : "100,000"} in the outbox, to Mosquitto, unpaced)`,
    `${fmt(drain.perS)} (${fmt(drain.seconds, 1)} s)`,
    "",
  ]);
}
if (viaExternal && viaExternalOne) {
  rows.push([
    `mqtt.mode external: ${fmt(externalReadings * 2)} readings via Mosquitto, 32 sessions ($share), stored/s`,
    `${fmt(viaExternal.perS)} (${fmt(viaExternal.seconds, 1)} s; ${fmt(viaExternal.perS / viaExternalOne.perS, 1)}x one session)`,
    ">= 10,000",
  ]);
  rows.push(["  CPU per reading, µs total", fmt(viaExternal.cpuUs), ""]);
  rows.push([
    `  one session (mqtt.connections: 1), ${fmt(Math.min(externalReadings, 3000))} readings, stored/s`,
    fmt(viaExternalOne.perS),
    "",
  ]);
}
rows.push([
  "text-line thermometer on a pty, readings/s through the whole gateway",
  fmt(pty.gatewayPerS),
  "",
]);
rows.push(["  the same pty pair read raw by node-serialport, lines/s", fmt(pty.rawPerS), ""]);
rows.push(["  ratio gateway / raw pty", `${fmt(pty.gatewayPerS / pty.rawPerS, 2)}x`, ""]);

rows.push(...pageRows(pages));
rows.push(...cliRows(cliTimes(dist)));
rows.push(...terminalRows(terminals));
rows.push(...districtRows(district));

printRows(rows);
