import { Random } from "../firmware-sim/random.js";

/** The faults a soak mixes in (soak/run.ts carries each out). */
export const FAULTS = [
  "sigterm",
  "sigkill",
  "upstream_outage",
  "upstream_flapping",
  "serial_unplug",
  "full_disk",
  "garbage",
  "wrong_clock",
  "replay_burst",
] as const;

/**
 * The district's faults (soak/district.ts), on a schedule of their own drawn from the same seed,
 * so adding them left the gateway's schedule of every seed as it was.
 */
export const DISTRICT_FAULTS = ["district_pg_restart", "district_worker_kill"] as const;

/** The faults of a run and when they come: seeded, drawn before the run starts. */
export function faultSchedule(
  seed: number,
  durationMs: number,
  meanGapMs: number,
  kinds: readonly string[] = FAULTS,
): { atMs: number; kind: string }[] {
  const random = new Random(seed);
  const schedule: { atMs: number; kind: string }[] = [];
  for (let atMs = random.exponential(meanGapMs); atMs < durationMs; ) {
    schedule.push({
      atMs: Math.round(atMs),
      kind: kinds[Math.floor(random.next() * kinds.length)] as string,
    });
    atMs += Math.max(1000, random.exponential(meanGapMs));
  }
  return schedule;
}

/** The district's faults of a run: twice as far apart as the gateway's, from their own stream. */
export function districtFaultSchedule(seed: number, durationMs: number, meanGapMs: number) {
  return faultSchedule(seed + 10, durationMs, meanGapMs * 2, DISTRICT_FAULTS);
}
