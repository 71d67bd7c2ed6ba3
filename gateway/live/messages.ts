import type { DomainEvent } from "../domain/events.js";
import { maskPersonalFields } from "../domain/masking.js";
import type { LiveEventMessage, LiveEventType } from "./protocol.js";

/**
 * Domain events as live messages (docs/contract.md#live-push-websocket). The hub serialises each event once per channel:
 * whole for guards, and for kiosks with personal data masked and the guards' own words left
 * out (a kiosk is a public screen: never a guard's note or username).
 */

/** The live message of a committed event (its data whole: the guard channel's). */
export function liveMessage(event: DomainEvent): LiveEventMessage {
  const envelope = { seq: event.seq, checkpoint_id: event.checkpointId };
  switch (event.kind) {
    case "reading_stored":
      return { ...envelope, type: "reading", ts: event.reading.ts, data: event.reading };
    case "scan_stored":
      return { ...envelope, type: "scan", ts: event.scan.ts, data: event.scan };
    case "passage_decided":
      return { ...envelope, type: "passage", ts: event.passage.ts, data: event.passage };
    case "alert_opened":
      return { ...envelope, type: "alert", ts: event.change.ts, data: event.change };
    case "alert_changed":
      return { ...envelope, type: "alert_update", ts: event.change.ts, data: event.change };
    case "device_status_changed":
      return { ...envelope, type: "device_status", ts: event.status.ts, data: event.status };
  }
}

/** The message for the guard channel: every field. */
export function guardJson(event: DomainEvent): string {
  return JSON.stringify(liveMessage(event));
}

/**
 * What an entrant's screen may show, per message type (docs/contract.md#live-push-websocket): an allow-list, so a field added
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
    data: kioskView(message.type, message.data),
  });
}

/** What a public screen may show of an event (or of an open alert): allowed fields, masked. */
export function kioskView<T extends object>(type: LiveEventType, data: T): Partial<T> {
  const view: Partial<T> = {};
  for (const [field, value] of Object.entries(data))
    if (KIOSK_FIELDS[type].includes(field)) Object.assign(view, { [field]: value });
  return maskPersonalFields(view);
}
