import {
  fahrenheitToCelsius,
  idText,
  isRecord,
  type Json,
  type TerminalNotification,
  type TerminalProblem,
} from "../terminal-event.js";
import { HIKVISION } from "./constants.js";

/**
 * A Hikvision notification's JSON (the body, or the first part of a multipart body) as what it
 * says (pure): a heartbeat, or an event with its temperature in °C, its card or person id, its
 * serial number and the terminal's verdicts; or the problem with it.
 */
export function parseHikvisionNotification(text: string): TerminalNotification | TerminalProblem {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: "problem", reason: "not_json", detail: "the notification is not JSON" };
  }
  if (!isRecord(body))
    return { kind: "problem", reason: "not_json", detail: "the notification is not a JSON object" };
  if (body.eventType === HIKVISION.heartbeat) return { kind: "heartbeat" };
  const event = body[HIKVISION.accessEvent];
  if (body.eventType !== HIKVISION.accessEvent || !isRecord(event))
    return {
      kind: "problem",
      reason: "not_an_event",
      detail: `eventType ${JSON.stringify(body.eventType)} is not ${HIKVISION.accessEvent} or ${HIKVISION.heartbeat}`,
    };
  return hikvisionEvent(event, typeof body.dateTime === "string" ? body.dateTime : null);
}

/** One `AccessControllerEvent` (from a notification, or an `AcsEvent` search's `InfoList`). */
export function hikvisionEvent(
  event: Json,
  dateTime: string | null,
): TerminalNotification | TerminalProblem {
  const f = HIKVISION.fields;
  const raw = event[f.temperature];
  if (raw !== undefined && (typeof raw !== "number" || !Number.isFinite(raw)))
    return { kind: "problem", reason: "bad_field", detail: `${f.temperature} is not a number` };
  const unit = event[f.unit];
  const tempC =
    typeof raw !== "number" ? null : unit === "fahrenheit" ? fahrenheitToCelsius(raw) : raw;
  const card = idText(event[f.card]);
  const person = idText(event[f.person]);
  if (tempC === null && card === null && person === null)
    return {
      kind: "problem",
      reason: "no_measurement_or_pass",
      detail: `neither ${f.temperature} nor ${f.card} nor ${f.person}`,
    };
  const serial = event[f.serial];
  const ts = dateTime === null ? Number.NaN : Date.parse(dateTime);
  const mask = event[f.mask];
  const over = event[f.overTemperature];
  return {
    kind: "event",
    serial: typeof serial === "number" || typeof serial === "string" ? String(serial) : null,
    tsMs: Number.isFinite(ts) ? ts : null,
    tempC,
    passId: card ?? person,
    method: card !== null ? "card" : person !== null ? "face" : null,
    verdict: {
      over_temperature: typeof over === "boolean" ? over : null,
      mask: mask === "yes" || mask === "no" || mask === "unknown" ? mask : null,
    },
  };
}
