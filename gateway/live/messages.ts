import { type DomainEvent, eventData } from "../domain/events.js";
import { maskPersonalFields } from "../domain/masking.js";
import type { LiveEventType, LiveMessage } from "./protocol.js";

/**
 * Domain events as live messages (SPEC 5). The hub serialises each event once per channel:
 * whole for guards, and for kiosks with personal data masked and the guards' own words left
 * out (a kiosk is a public screen: never a guard's note or username).
 */

const LIVE_TYPE: Record<DomainEvent["kind"], LiveEventType> = {
  reading_stored: "reading",
  scan_stored: "scan",
  passage_decided: "passage",
  alert_opened: "alert",
  alert_changed: "alert_update",
  device_status_changed: "device_status",
};

export function liveMessage(event: DomainEvent): LiveMessage {
  const data = eventData(event);
  return {
    type: LIVE_TYPE[event.kind],
    seq: event.seq,
    ts: data.ts,
    checkpoint_id: event.checkpointId,
    data,
  };
}

/** The message for the guard channel: every field. */
export function guardJson(event: DomainEvent): string {
  return JSON.stringify(liveMessage(event));
}

/**
 * What an entrant's screen may show, per message type (SPEC 5): an allow-list, so a field added
 * to an event later stays off the public screen until it is added here on purpose. Personal data
 * that is allowed is masked (`pass_id`, `holder_name`); a guard's words, usernames, the
 * re-measured temperature and device details never appear.
 */
export const KIOSK_FIELDS: Record<LiveEventType, readonly string[]> = {
  reading: ["id", "seq", "ts", "device_id", "checkpoint_id", "temp_c", "status", "msg_id"],
  scan: ["id", "seq", "ts", "device_id", "checkpoint_id", "pass_id", "method", "msg_id"],
  passage: [
    "id",
    "seq",
    "ts",
    "checkpoint_id",
    "pass_id",
    "holder_name",
    "reading_id",
    "scan_id",
    "temp_c",
    "decision",
    "reasons",
  ],
  alert: ALERT_FIELDS(),
  alert_update: ALERT_FIELDS(),
  device_status: ["id", "seq", "ts", "device_id", "checkpoint_id", "online"],
};

function ALERT_FIELDS(): string[] {
  return [
    "id",
    "alert_id",
    "seq",
    "ts",
    "kind",
    "state",
    "checkpoint_id",
    "device_id",
    "passage_id",
    "reading_id",
    "temp_c",
    "opened_at",
    "disposition",
  ];
}

/** The message for a kiosk: see `kioskView`. */
export function kioskJson(event: DomainEvent): string {
  const message = liveMessage(event);
  return JSON.stringify({
    ...message,
    data: kioskView(message.type as LiveEventType, message.data as object),
  });
}

/** What a public screen may show of an event (or of an open alert): allowed fields, masked. */
export function kioskView(type: LiveEventType, data: object): Record<string, unknown> {
  const record = data as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  for (const field of KIOSK_FIELDS[type]) if (field in record) view[field] = record[field];
  return maskPersonalFields(view);
}
