import type { Alert, DeviceStatus, Passage, Reading, Scan } from "./types.js";

/**
 * The domain events (docs/contract.md#identity-and-order): what the gateway has committed, as domain objects. The store
 * returns them from the transaction that wrote them; the bus hands them to live push, the
 * upstream outbox, the gateway's event topics and the door output, each of which serialises
 * what it sends. Every event has its own `seq` and id `<gateway_id>:<seq>`, never reused.
 */
export type DomainEvent =
  | { kind: "reading_stored"; seq: number; checkpointId: string; reading: Reading }
  | { kind: "scan_stored"; seq: number; checkpointId: string; scan: Scan }
  | { kind: "passage_decided"; seq: number; checkpointId: string; passage: Passage }
  | { kind: "alert_opened"; seq: number; checkpointId: string | null; change: AlertChange }
  | { kind: "alert_changed"; seq: number; checkpointId: string | null; change: AlertChange }
  | { kind: "device_status_changed"; seq: number; checkpointId: string; status: DeviceStatus };

export type DomainEventKind = DomainEvent["kind"];

/** Every kind of domain event, for listeners that take them all. */
export const DOMAIN_EVENT_KINDS = [
  "reading_stored",
  "scan_stored",
  "passage_decided",
  "alert_opened",
  "alert_changed",
  "device_status_changed",
] as const satisfies readonly DomainEventKind[];

// Every kind is listed: a new kind that is not fails to compile here.
type Unlisted = Exclude<DomainEventKind, (typeof DOMAIN_EVENT_KINDS)[number]>;
const everyKindListed: Unlisted extends never ? true : never = true;
void everyKindListed;

/**
 * One change of an alert (opened, acknowledged, resolved) as an event: the alert's state after
 * the change, with the change's own `id`, `seq` and `ts`; `alert_id` names the alert. For the
 * change that opens an alert `id` and `alert_id` are the same.
 */
export interface AlertChange extends Alert {
  ts: string;
}

/** The event's payload: the domain object it carries (what live clients and upstream get). */
export function eventData(
  event: DomainEvent,
): Reading | Scan | Passage | AlertChange | DeviceStatus {
  switch (event.kind) {
    case "reading_stored":
      return event.reading;
    case "scan_stored":
      return event.scan;
    case "passage_decided":
      return event.passage;
    case "alert_opened":
    case "alert_changed":
      return event.change;
    case "device_status_changed":
      return event.status;
  }
}

/** The event's time as ISO 8601 (when it happened, not when it was stored). */
export function eventTime(event: DomainEvent): string {
  return eventData(event).ts;
}
