/**
 * What a network terminal's notification says, whatever its protocol (docs/contract.md#network-terminals-over-http): a heartbeat, or
 * an event with a temperature, a card or face id, or both, and the terminal's own verdicts,
 * which are kept beside the gateway's screening (the gateway decides).
 */
import type { TerminalVerdict } from "../domain/types.js";

export type { TerminalVerdict };

export interface TerminalEvent {
  kind: "event";
  /** The terminal's number for the event (`serialNo`, `SN`): a repeat is stored once. */
  serial: string | null;
  /** The terminal's time of the event, ms since the epoch, or null. */
  tsMs: number | null;
  /** °C (converted from °F when the terminal measures in °F), or null without a measurement. */
  tempC: number | null;
  /** A card number, else the person id of a face match, or null. */
  passId: string | null;
  method: "card" | "face" | null;
  verdict: TerminalVerdict;
}

export interface TerminalHeartbeat {
  kind: "heartbeat";
}

export type TerminalNotification = TerminalEvent | TerminalHeartbeat;

/** A notification the gateway cannot use: said in one line and counted, the terminal answered 400. */
export interface TerminalProblem {
  kind: "problem";
  reason: "not_json" | "not_an_event" | "no_measurement_or_pass" | "bad_field";
  detail: string;
}

export function fahrenheitToCelsius(f: number): number {
  return Math.round((((f - 32) * 5) / 9) * 100) / 100;
}

/** °C as a terminal that measures in °F reports it: one decimal. */
export function celsiusToFahrenheit(c: number): number {
  return Math.round(((c * 9) / 5) * 10 + 320) / 10;
}

export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A card or person id as the terminals send it: text, or a number; blank is none. */
export function idText(value: unknown): string | null {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** What one protocol's event said, by meaning, and the names it used (for its problems). */
export interface EventFields {
  names: { temperature: string; card: string; person: string };
  temperature: unknown;
  fahrenheit: boolean;
  card: unknown;
  person: unknown;
  serial: unknown;
  tsMs: number | null;
  overTemperature: unknown;
  mask: TerminalVerdict["mask"];
}

/**
 * A yes/no a terminal said: a JSON boolean, or the string a DS-K1T323 sends
 * (`"isAbnomalTemperature": "true"`; issue reports of real pushes); anything else is unsaid.
 */
function flag(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return null;
}

/**
 * An event from what a terminal said (both protocols): the temperature in °C, a card else a face
 * id, the serial as text, the verdict; or the problem (a temperature that is not a number, or
 * neither a measurement nor a pass).
 */
export function terminalEvent(f: EventFields): TerminalEvent | TerminalProblem {
  const raw = f.temperature;
  if (raw !== undefined && (typeof raw !== "number" || !Number.isFinite(raw)))
    return {
      kind: "problem",
      reason: "bad_field",
      detail: `${f.names.temperature} is not a number`,
    };
  const tempC = typeof raw !== "number" ? null : f.fahrenheit ? fahrenheitToCelsius(raw) : raw;
  const card = idText(f.card);
  const person = idText(f.person);
  if (tempC === null && card === null && person === null)
    return {
      kind: "problem",
      reason: "no_measurement_or_pass",
      detail: `neither ${f.names.temperature} nor ${f.names.card} nor ${f.names.person}`,
    };
  return {
    kind: "event",
    serial: typeof f.serial === "number" || typeof f.serial === "string" ? String(f.serial) : null,
    tsMs: f.tsMs,
    tempC,
    passId: card ?? person,
    method: card !== null ? "card" : person !== null ? "face" : null,
    verdict: {
      over_temperature: flag(f.overTemperature),
      mask: f.mask,
    },
  };
}
