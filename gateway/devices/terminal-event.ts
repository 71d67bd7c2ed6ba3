/**
 * What a network terminal's notification says, whatever its protocol (SPEC 3a): a heartbeat, or
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
