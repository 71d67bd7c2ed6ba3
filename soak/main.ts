#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { check } from "./checker.js";
import { runSoak } from "./run.js";

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
  log(`RSS max per phase, MB: ${figures.rssMaxMb.map((mb) => (mb > 0 ? mb : "-")).join(" ")}`);
  log(`publish -> kiosk (live) p50 / p99: ${figures.latencyMs.p50} / ${figures.latencyMs.p99} ms`);
  const failed = verdicts.filter((v) => !v.ok);
  if (failed.length > 0) {
    log(
      `\nseed ${o.seed}: ${failed.length} promise(s) broken; faults in order: ${recording.faults.map((f) => `${Math.round(f.atMs / 1000)}s ${f.kind}`).join(", ")}`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
