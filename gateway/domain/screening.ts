import type { ReadingStatus } from "./types.js";

/**
 * Screening rules (docs/contract.md#screening-and-decisions). Every comparison is made in integer tenths of a degree after
 * rounding half-up, so the value a person sees on the screen is exactly the value that was
 * judged: 37.34 shows 37.3 and is normal, 37.35 shows 37.4 and is a fever.
 */

export type FeverComparator = ">" | ">=";

export interface ScreeningRules {
  feverAboveC: number;
  comparator: FeverComparator;
  lowBelowC: number;
  invalidBelowC: number;
  invalidAboveC: number;
}

export const DEFAULT_SCREENING_RULES: ScreeningRules = {
  feverAboveC: 37.3,
  comparator: ">",
  lowBelowC: 35.0,
  invalidBelowC: 30.0,
  invalidAboveC: 43.0,
};

/**
 * Rounds degrees to integer tenths, half-up (towards +infinity on a tie).
 *
 * A decimal such as 36.45 is stored as 36.4499999999999957 in binary, so `x * 10 + 0.5`
 * lands a hair below the tie and a plain floor would round it down. The small epsilon (far
 * below any sensor's resolution of 0.01 °C) puts such values back on the tie they stand for.
 */
export function toTenths(celsius: number): number {
  return Math.floor(celsius * 10 + 0.5 + 1e-7);
}

export function tenthsToCelsius(tenths: number): number {
  return tenths / 10;
}

export interface ScreeningResult {
  /** The judged temperature in tenths of a degree. */
  tenths: number;
  /** The judged temperature in °C (one decimal): what the screen shows. */
  tempC: number;
  status: ReadingStatus;
}

/** Applies a device's calibration offset and judges the result. */
export function screenTemperature(
  rawC: number,
  offsetC: number,
  rules: ScreeningRules,
): ScreeningResult {
  const tenths = toTenths(rawC + offsetC);
  return { tenths, tempC: tenthsToCelsius(tenths), status: classifyTenths(tenths, rules) };
}

export function classifyTenths(tenths: number, rules: ScreeningRules): ReadingStatus {
  if (tenths < toTenths(rules.invalidBelowC) || tenths > toTenths(rules.invalidAboveC)) {
    return "invalid";
  }
  if (tenths < toTenths(rules.lowBelowC)) return "low";
  const fever = toTenths(rules.feverAboveC);
  const isFever = rules.comparator === ">" ? tenths > fever : tenths >= fever;
  return isFever ? "fever" : "normal";
}
