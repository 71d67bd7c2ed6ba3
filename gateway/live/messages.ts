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

/** The message for a kiosk: see `kioskView`. `whole` is the guard's text, reused when equal. */
export function kioskJson(event: DomainEvent, whole?: () => string): string {
  const message = liveMessage(event);
  if (whole && !hasPrivateFields(message.data as Record<string, unknown>)) return whole();
  return JSON.stringify({ ...message, data: kioskView(message.data as object) });
}

function hasPrivateFields(data: Record<string, unknown>): boolean {
  return (
    typeof data.pass_id === "string" ||
    typeof data.holder_name === "string" ||
    GUARD_ONLY.some((field) => data[field] !== undefined && data[field] !== null)
  );
}

/** Fields only a guard may see: who handled an alert and what they wrote. */
const GUARD_ONLY = ["acknowledged_by", "resolved_by", "note"] as const;

/** What a public screen may show of an event or alert: masked, without the guards' words. */
export function kioskView<T extends object>(data: T): T {
  const masked = maskPersonalFields(data) as Record<string, unknown>;
  for (const field of GUARD_ONLY) if (field in masked) masked[field] = null;
  return masked as T;
}
