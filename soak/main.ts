#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { check, faultBefore } from "./checker.js";
import { runSoak, type SoakPhase } from "./run.js";

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Whether memory grows over the run: the least-squares slope of each phase's RSS maximum over
 * time, in MB per minute (a restart starts a process afresh, so the maxima are what compare).
 */
function rssTrend(phases: readonly SoakPhase[]): string {
  const points = phases.filter((p) => p.rssMaxMb > 0).map((p) => [p.atMs / 60_000, p.rssMaxMb]);
  if (points.length < 2) return "too few phases";
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + (x as number), 0) / n;
  const my = points.reduce((sum, [, y]) => sum + (y as number), 0) / n;
  const sxy = points.reduce((sum, [x, y]) => sum + ((x as number) - mx) * ((y as number) - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + ((x as number) - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const max = Math.max(...points.map(([, y]) => y as number));
  return `${slope >= 0 ? "+" : ""}${slope.toFixed(2)} MB/min over ${n} phases (highest ${max} MB)`;
}

/**
 * `npm run soak -- --minutes M --seed S [--gates N] [--rate R]`: a seeded chaos run against a
 * real gateway process, then the checker's table. Exits 1 when any promise broke, printing the
 * seed and the faults in order so the run can be replayed.
 */
const whole = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};

const program = new Command("checkpoint-soak")
  .description("A seeded chaos soak of the gateway, checked from the outside.")
  .option("--minutes <m>", "how long to drive the gateway", whole("--minutes"), 10)
  .option("--seed <s>", "the seed of the load and the fault schedule", whole("--seed"), 1)
  .option("--gates <n>", "checkpoints (modes in turn)", whole("--gates"), 3)
  .option("--rate <r>", "people per second over all gates", whole("--rate"), 20)
  .option("--fault-every <s>", "mean seconds between faults", whole("--fault-every"), 15)
  .parse();

const o = program.opts<{
  minutes: number;
  seed: number;
  gates: number;
  rate: number;
  faultEvery: number;
}>();
const dir = mkdtempSync(join(tmpdir(), "cg-soak-"));
const log = (line: string) => process.stdout.write(`${line}\n`);
try {
  log(`soak: seed ${o.seed}, ${o.minutes} min, ${o.gates} gates, ${o.rate} people/s`);
  const { recording, figures } = await runSoak({
    dir,
    seconds: o.minutes * 60,
    seed: o.seed,
    gates: o.gates,
    rate: o.rate,
    faultEveryMs: o.faultEvery * 1000,
    log,
  });
  const verdicts = check(recording);
  const width = Math.max(...verdicts.map((v) => v.invariant.length));
  log("");
  for (const v of verdicts)
    log(`${v.ok ? "ok  " : "FAIL"}  ${v.invariant.padEnd(width)}  ${v.detail}`);
  log("");
  log(
    `messages ${figures.sent} (acknowledged ${figures.acked}), restarts ${figures.restarts}, faults ${JSON.stringify(figures.faults)}`,
  );
  if (Object.keys(figures.skipped).length > 0)
    log(`skipped (cannot be carried out here): ${JSON.stringify(figures.skipped)}`);
  log(
    `serial gate: ${figures.serialSent} frames put on the wire; publish -> kiosk (live) p50 / p99: ${figures.latencyMs.p50} / ${figures.latencyMs.p99} ms`,
  );
  log(
    `district: ${figures.district.stored} events stored by 2 workers; the hostile account sent ${figures.district.honest} honest passages and ${figures.district.forgeries} forgeries (${figures.district.deadLetters} dead letters kept); a dashboard asked the API ${figures.district.apiRequests} times (${figures.district.api503} answered 503 while PostgreSQL was away)`,
  );
  log("");
  log("phase  after               at s  RSS max MB  shown  p50 ms  p99 ms");
  for (const [i, p] of figures.phases.entries())
    log(
      `${String(i).padStart(5)}  ${p.after.padEnd(18)}  ${String(Math.round(p.atMs / 1000)).padStart(4)}  ${String(p.rssMaxMb || "-").padStart(10)}  ${String(p.shown).padStart(5)}  ${String(p.p50Ms).padStart(6)}  ${String(p.p99Ms).padStart(6)}`,
    );
  log(`RSS trend: ${rssTrend(figures.phases)}`);
  const failed = verdicts.filter((v) => !v.ok);
  if (failed.length > 0) {
    const first = failed
      .flatMap((v) => (v.firstAtMs === null ? [] : [{ v, atMs: v.firstAtMs }]))
      .sort((a, b) => a.atMs - b.atMs)[0];
    const before = first ? faultBefore(recording, first.atMs) : null;
    log("");
    log(`seed ${o.seed}: ${failed.length} promise(s) broken.`);
    if (first)
      log(
        `first violation at ${seconds(first.atMs)} (${first.v.invariant}), after ${before ? `the fault ${before.kind} at ${seconds(before.atMs)}` : "no fault"}`,
      );
    log(
      `replay: npm run soak -- --minutes ${o.minutes} --seed ${o.seed} --gates ${o.gates} --rate ${o.rate} --fault-every ${o.faultEvery}`,
    );
    log(
      `faults in order: ${recording.faults.map((f) => `${seconds(f.atMs)} ${f.kind}`).join(", ")}`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
