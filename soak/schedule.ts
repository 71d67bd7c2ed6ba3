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

/** The faults of a run and when they come: seeded, drawn before the run starts. */
export function faultSchedule(
  seed: number,
  durationMs: number,
  meanGapMs: number,
): { atMs: number; kind: string }[] {
  const random = new Random(seed);
  const schedule: { atMs: number; kind: string }[] = [];
  for (let atMs = random.exponential(meanGapMs); atMs < durationMs; ) {
    schedule.push({
      atMs: Math.round(atMs),
      kind: FAULTS[Math.floor(random.next() * FAULTS.length)] as string,
    });
    atMs += Math.max(1000, random.exponential(meanGapMs));
  }
  return schedule;
}
