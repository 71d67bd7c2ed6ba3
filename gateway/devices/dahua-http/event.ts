import {
  fahrenheitToCelsius,
  idText,
  isRecord,
  type Json,
  type TerminalNotification,
  type TerminalProblem,
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
  const raw = data[f.temperature];
  if (raw !== undefined && (typeof raw !== "number" || !Number.isFinite(raw)))
    return { kind: "problem", reason: "bad_field", detail: `${f.temperature} is not a number` };
  const tempC =
    typeof raw !== "number"
      ? null
      : DAHUA.fahrenheit.includes(data[f.unit])
        ? fahrenheitToCelsius(raw)
        : raw;
  const card = idText(data[f.card]);
  const person = idText(data[f.person]);
  if (tempC === null && card === null && person === null)
    return {
      kind: "problem",
      reason: "no_measurement_or_pass",
      detail: `neither ${f.temperature} nor ${f.card} nor ${f.person}`,
    };
  const utc = data[f.time];
  const serial = data[f.serial];
  const over = data[f.overTemperature];
  const mask = data[f.mask];
  return {
    kind: "event",
    serial: typeof serial === "number" || typeof serial === "string" ? String(serial) : null,
    // UTC is in seconds since the epoch.
    tsMs: typeof utc === "number" && Number.isFinite(utc) ? utc * 1000 : null,
    tempC,
    passId: card ?? person,
    method: card !== null ? "card" : person !== null ? "face" : null,
    verdict: {
      over_temperature: typeof over === "boolean" ? over : null,
      mask: mask === 1 || mask === true ? "yes" : mask === 0 || mask === false ? "no" : null,
    },
  };
}
