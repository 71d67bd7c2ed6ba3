/**
 * Turning a continuous stream of infrared samples into one reading per person (pure).
 *
 * A thermometer module in continuous mode (GY-MCU90614 after `A5 45 EA`) reports the object
 * temperature several times a second whether anyone is there or not; with nobody in front it
 * reads the wall. A person is taken to be present while the object temperature is at or above
 * `presenceAboveC`; their reading is the peak over that time (the forehead at its closest),
 * reported when they step away, or after `maxMs` if they stay, and then not again until the
 * sensor has seen the background in between.
 */

export interface Sample {
  objectC: number;
  ambientC: number;
  tsMs: number;
}

export interface PresenceRule {
  presenceAboveC: number;
  maxMs: number;
}

export type PresenceState =
  | { kind: "empty" }
  | { kind: "present"; sinceMs: number; peak: Sample }
  /** Reported already; waiting for the person to step away. */
  | { kind: "reported" };

export const EMPTY: PresenceState = { kind: "empty" };

export function observe(
  state: PresenceState,
  sample: Sample,
  rule: PresenceRule,
): { state: PresenceState; reading: Sample | null } {
  const someone = sample.objectC >= rule.presenceAboveC;
  if (!someone) {
    return { state: EMPTY, reading: state.kind === "present" ? state.peak : null };
  }
  switch (state.kind) {
    case "empty":
      return { state: { kind: "present", sinceMs: sample.tsMs, peak: sample }, reading: null };
    case "reported":
      return { state, reading: null };
    case "present": {
      const peak = sample.objectC > state.peak.objectC ? sample : state.peak;
      if (sample.tsMs - state.sinceMs >= rule.maxMs)
        return { state: { kind: "reported" }, reading: peak };
      return { state: { kind: "present", sinceMs: state.sinceMs, peak }, reading: null };
    }
  }
}
