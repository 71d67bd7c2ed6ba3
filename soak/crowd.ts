import { Random } from "../firmware-sim/random.js";
import { type ScenarioAction, type ScenarioName, scenario } from "../firmware-sim/scenarios.js";
import type { CheckpointMode } from "./checker.js";

/**
 * The soak's crowd (pure): each gate plays the simulator's named scenarios that fit its mode,
 * switching to another one (seeded) every segment, so a run mixes steady flow, fevers, a
 * morning rush, a cold winter queue, the community gate and card trouble. The soak sends the
 * actions as its devices' messages when they are due.
 */

/** Which scenarios fit which mode (a pass_only gate has no thermometer to measure). */
export const CROWDS: Record<CheckpointMode, readonly ScenarioName[]> = {
  temperature_only: ["steady", "winter", "fever"],
  pass_and_temperature: ["rush", "gate"],
  pass_only: ["cards"],
};

export interface CrowdGate {
  id: string;
  mode: CheckpointMode;
}

/** A scenario action at a gate, with the scenario it came from. */
export type CrowdAction = ScenarioAction & { gate: CrowdGate; scenario: ScenarioName };

export interface CrowdOptions {
  seed: number;
  gates: readonly CrowdGate[];
  /** People per second over all gates. */
  rate: number;
  feverShare: number;
  /** How long one gate plays one scenario before drawing the next. */
  segmentMs: number;
}

/** The thermometer and reader ids of a gate (as the soak configures them). */
export const thermometerOf = (gate: string) => `thermo-${gate}`;
export const readerOf = (gate: string) => `reader-${gate}`;

/**
 * The crowd as one endless stream ordered by time: every gate's segments, each a scenario
 * drawn from its mode's list with a seed of its own.
 */
export function* crowd(o: CrowdOptions): Generator<CrowdAction> {
  const ratePerMin = (o.rate * 60) / Math.max(1, o.gates.length);
  const draw = new Random(o.seed);
  const segments = o.gates.map((gate, index) => ({ gate, index, startMs: 0, number: 0 }));
  const playing = segments.map((segment) => next(segment));
  const peeked = playing.map((actions) => actions.next().value);

  function next(segment: (typeof segments)[number]) {
    const names = CROWDS[segment.gate.mode];
    const name = names[Math.floor(draw.next() * names.length)] as ScenarioName;
    const seed = o.seed * 7919 + segment.index * 1009 + segment.number;
    const actions = scenario(name, {
      seed,
      thermometers: [thermometerOf(segment.gate.id)],
      ratePerMin,
      feverShare: o.feverShare,
      people: Number.POSITIVE_INFINITY,
    });
    const startMs = segment.startMs;
    const endMs = startMs + o.segmentMs;
    return (function* (): Generator<CrowdAction, undefined> {
      for (const action of actions) {
        const atMs = startMs + action.atMs;
        if (atMs >= endMs) return;
        yield { ...action, atMs, gate: segment.gate, scenario: name };
      }
    })();
  }

  while (true) {
    // The earliest of the gates' next actions; a gate whose segment ended draws the next one.
    let first = -1;
    for (let i = 0; i < segments.length; i++) {
      while (peeked[i] === undefined) {
        const segment = segments[i] as (typeof segments)[number];
        segment.startMs += o.segmentMs;
        segment.number += 1;
        playing[i] = next(segment);
        peeked[i] = playing[i]?.next().value;
      }
      if (first < 0 || (peeked[i]?.atMs ?? 0) < (peeked[first]?.atMs ?? 0)) first = i;
    }
    if (first < 0) return;
    const action = peeked[first] as CrowdAction;
    peeked[first] = playing[first]?.next().value;
    yield action;
  }
}
