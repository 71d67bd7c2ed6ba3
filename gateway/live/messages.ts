import type { DomainEvent } from "../domain/events.js";
import { maskPersonalFields } from "../domain/masking.js";
import type { LiveEventMessage, LiveEventType } from "./protocol.js";

/**
 * Domain events as live messages (docs/contract.md#live-push-websocket). The hub serialises each event once per channel:
 * whole for guards, and for kiosks with personal data masked and the guards' own words left
 * out (a kiosk is a public screen: never a guard's note or username).
 */

/**
 * The live message of a committed event (its data whole: the guard channel's). Each literal is
 * written out in one key order: this runs twice per event on the hot path, and a spread of a
 * shared envelope cost a fifth of the gateway's throughput (measured with --core).
 */
export function liveMessage(event: DomainEvent): LiveEventMessage {
  const { seq, checkpointId: checkpoint_id } = event;
  switch (event.kind) {
    case "reading_stored":
      return { type: "reading", seq, ts: event.reading.ts, checkpoint_id, data: event.reading };
    case "scan_stored":
      return { type: "scan", seq, ts: event.scan.ts, checkpoint_id, data: event.scan };
    case "passage_decided":
      return { type: "passage", seq, ts: event.passage.ts, checkpoint_id, data: event.passage };
    case "alert_opened":
      return { type: "alert", seq, ts: event.change.ts, checkpoint_id, data: event.change };
    case "alert_changed":
      return { type: "alert_update", seq, ts: event.change.ts, checkpoint_id, data: event.change };
    case "device_status_changed":
      return { type: "device_status", seq, ts: event.status.ts, checkpoint_id, data: event.status };
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
  // Read and written as records by the allow-list (the hot path: once per event per channel);
  // every field copied is one of T's own.
  const record = data as Readonly<Record<string, unknown>>;
  const view: Record<string, unknown> = {};
  for (const field of KIOSK_FIELDS[type]) if (field in record) view[field] = record[field];
  return maskPersonalFields(view) as Partial<T>;
}
