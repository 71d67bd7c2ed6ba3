import type { StoredEvent } from "../store/journal.js";

/**
 * What goes upstream and in which lane (SPEC 6). Alerts go first whatever the backlog, then
 * device status and daily summaries, then passages, then (if configured) readings and scans; within a lane, oldest
 * first. So the district hears of a fever at once even after a long outage, while the events
 * of each kind still arrive in the order they happened.
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

export function upstreamRoute(event: StoredEvent, forwardReadings: boolean): Route | null {
  switch (event.type) {
    case "alert":
    case "alert_update":
      return { kind: "alert", priority: PRIORITY.alert };
    case "device_status":
      return { kind: "device_status", priority: PRIORITY.device_status };
    case "passage":
      return { kind: "passage", priority: PRIORITY.passage };
    case "reading":
    case "scan":
      return forwardReadings ? { kind: event.type, priority: PRIORITY[event.type] } : null;
  }
}

export function upstreamTopic(
  prefix: string,
  siteId: string,
  gatewayId: string,
  kind: string,
): string {
  return `${prefix}/${siteId}/${gatewayId}/${kind}`;
}
