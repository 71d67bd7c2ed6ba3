import {
  isRecord,
  type Json,
  type TerminalNotification,
  type TerminalProblem,
  terminalEvent,
} from "../terminal-event.js";
import { DAHUA } from "./constants.js";

/**
 * A Dahua upload as what it says (pure): each `AccessControl` event with its temperature in °C,
 * card or user id, `SN` and the terminal's verdict; an upload without events is a heartbeat;
 * other event codes are skipped; a body that is not such an upload is a problem.
 */
export function parseDahuaUpload(text: string): (TerminalNotification | TerminalProblem)[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [{ kind: "problem", reason: "not_json", detail: "the upload is not JSON" }];
  }
  if (!isRecord(body) || (body.Events !== undefined && !Array.isArray(body.Events)))
    return [{ kind: "problem", reason: "not_an_event", detail: "the upload has no Events list" }];
  const events = (body.Events ?? []) as unknown[];
  if (events.length === 0) return [{ kind: "heartbeat" }];
  return events
    .filter((event) => isRecord(event) && event.Code === DAHUA.accessCode)
    .map((event) => dahuaEvent((event as Json).Data));
}

function dahuaEvent(data: unknown): TerminalNotification | TerminalProblem {
  const f = DAHUA.fields;
  if (!isRecord(data))
    return { kind: "problem", reason: "bad_field", detail: "an event has no Data" };
  const utc = data[f.time];
  const mask = data[f.mask];
  return terminalEvent({
    names: f,
    temperature: data[f.temperature],
    fahrenheit: DAHUA.fahrenheit.includes(data[f.unit]),
    card: data[f.card],
    person: data[f.person],
    serial: data[f.serial],
    // UTC is in seconds since the epoch.
    tsMs: typeof utc === "number" && Number.isFinite(utc) ? utc * 1000 : null,
    overTemperature: data[f.overTemperature],
    mask: mask === 1 || mask === true ? "yes" : mask === 0 || mask === false ? "no" : null,
  });
}
