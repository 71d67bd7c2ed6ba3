import { Random } from "./random.js";

/**
 * Named, seeded scenarios (SPEC 10) as pure generators of timed device actions; the runner
 * turns them into real messages. Temperatures are what the sensor reports (raw_c), with two
 * decimals like the infrared modules.
 */

export interface TemperatureAction {
  kind: "temperature";
  /** Milliseconds after the scenario starts. */
  atMs: number;
  deviceId: string;
  tempC: number;
  /** Why this value: shown in the simulator's output. */
  note: string;
}

export type ScenarioAction = TemperatureAction;

export interface ScenarioOptions {
  seed: number;
  thermometers: string[];
  /** People per minute. */
  ratePerMin: number;
  /** Share of people with a fever, 0..1. */
  feverShare: number;
  /** How many people; Infinity runs until stopped. */
  people: number;
}

export const SCENARIOS = ["steady", "fever"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const round2 = (value: number) => Math.round(value * 100) / 100;

function healthy(random: Random): number {
  return round2(Math.min(37.2, Math.max(35.6, random.normal(36.5, 0.3))));
}

function feverish(random: Random): number {
  return round2(Math.min(40.5, Math.max(37.5, random.normal(38.3, 0.4))));
}

/** A steady flow: arrivals at `ratePerMin` on average, a `feverShare` of them with a fever. */
export function* steady(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const meanGapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  for (let person = 0; person < options.people; person++) {
    atMs += random.exponential(meanGapMs);
    const deviceId = options.thermometers[person % options.thermometers.length] as string;
    const fever = random.chance(options.feverShare);
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: fever ? feverish(random) : healthy(random),
      note: fever ? "fever" : "healthy",
    };
  }
}

/**
 * A fever case at the gate: a few healthy people, then one with a fever who is measured
 * again a few seconds later (still feverish), then the queue moves on. Repeats while
 * `people` allows.
 */
export function* fever(options: ScenarioOptions): Generator<ScenarioAction> {
  const random = new Random(options.seed);
  const gapMs = 60_000 / options.ratePerMin;
  let atMs = 0;
  let person = 0;
  const deviceId = options.thermometers[0] as string;
  while (person < options.people) {
    for (let i = 0; i < 3 && person < options.people; i++, person++) {
      atMs += gapMs;
      yield {
        kind: "temperature",
        atMs: Math.round(atMs),
        deviceId,
        tempC: healthy(random),
        note: "healthy",
      };
    }
    if (person >= options.people) return;
    const first = feverish(random);
    atMs += gapMs;
    yield { kind: "temperature", atMs: Math.round(atMs), deviceId, tempC: first, note: "fever" };
    atMs += 5000;
    yield {
      kind: "temperature",
      atMs: Math.round(atMs),
      deviceId,
      tempC: round2(first + random.normal(0, 0.1)),
      note: "fever, measured again",
    };
    person++;
  }
}

export function scenario(name: ScenarioName, options: ScenarioOptions): Generator<ScenarioAction> {
  return name === "steady" ? steady(options) : fever(options);
}
