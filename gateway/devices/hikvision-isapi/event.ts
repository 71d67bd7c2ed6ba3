import {
  isRecord,
  type Json,
  type TerminalNotification,
  type TerminalProblem,
  terminalEvent,
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
  const ts = dateTime === null ? Number.NaN : Date.parse(dateTime);
  const mask = event[f.mask];
  return terminalEvent({
    names: f,
    temperature: event[f.temperature],
    fahrenheit: event[f.unit] === "fahrenheit",
    card: event[f.card],
    person: event[f.person],
    serial: event[f.serial],
    tsMs: Number.isFinite(ts) ? ts : null,
    overTemperature: event[f.overTemperature],
    mask: mask === "yes" || mask === "no" || mask === "unknown" ? mask : null,
  });
}
