import { type DomainEvent, eventData } from "../gateway/domain/events.js";

/**
 * What goes upstream and in which lane (docs/contract.md#upstream-the-district). Alerts go first whatever the backlog, then
 * device status and daily summaries, then passages, then (if configured) readings and scans;
 * within a lane, oldest first. So the district hears of a fever at once even after a long
 * outage, while the events of each kind still arrive in the order they happened.
 */
export interface Route {
  /** The last topic level: reading, scan, passage, alert, device_status, summary. */
  kind: string;
  priority: number;
}

export const PRIORITY = {
  alert: 0,
  device_status: 1,
  summary: 1,
  passage: 2,
  reading: 3,
  scan: 3,
} as const;

export function upstreamRoute(event: DomainEvent, forwardReadings: boolean): Route | null {
  switch (event.kind) {
    case "alert_opened":
    case "alert_changed":
      return { kind: "alert", priority: PRIORITY.alert };
    case "device_status_changed":
      return { kind: "device_status", priority: PRIORITY.device_status };
    case "passage_decided":
      return { kind: "passage", priority: PRIORITY.passage };
    case "reading_stored":
      return forwardReadings ? { kind: "reading", priority: PRIORITY.reading } : null;
    case "scan_stored":
      return forwardReadings ? { kind: "scan", priority: PRIORITY.scan } : null;
  }
}

/** The payload upstream receives: the event's domain object with its own `id` (docs/contract.md#upstream-the-district). */
export const upstreamPayload = eventData;

/** Every kind of event that goes upstream (the last topic level), besides `status`. */
export const UPSTREAM_KINDS = Object.keys(PRIORITY) as (keyof typeof PRIORITY)[];
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/**
 * The gateway's retained `status` (docs/contract.md#upstream-the-district, last will `{"online": false}`); while connected it
 * also says how far behind its outbox is, and every status says which connection and which of
 * its statuses it is, so the district can order them (extensions, docs/contract.md).
 */
export interface UpstreamStatus {
  online: boolean;
  queue_depth?: number;
  oldest_age_s?: number | null;
  /** The connection's number: rises with every connection the gateway opens. */
  connection?: number;
  /** The status's number within its connection (0 when it connects); the will has none. */
  n?: number;
}

export function upstreamTopic(
  prefix: string,
  siteId: string,
  gatewayId: string,
  kind: UpstreamKind | "status",
): string {
  return `${prefix}/${siteId}/${gatewayId}/${kind}`;
}

/** The parts of an upstream topic (what the district reads), or null if it is not one. */
export function parseUpstreamTopic(
  prefix: string,
  topic: string,
): { siteId: string; gatewayId: string; kind: string } | null {
  const levels = topic.split("/");
  const prefixLevels = prefix.split("/");
  if (levels.length !== prefixLevels.length + 3 || prefixLevels.some((p, i) => levels[i] !== p))
    return null;
  const [siteId, gatewayId, kind] = levels.slice(prefixLevels.length) as [string, string, string];
  return { siteId, gatewayId, kind };
}
