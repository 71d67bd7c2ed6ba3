import type { DeviceStatus, Passage, Reading, Scan } from "../domain/types.js";

/**
 * The live push contract (SPEC 5), imported by the gateway and by the kiosk pages alike so
 * the two cannot drift. Browser-safe: no Node imports here. The event shapes are the domain
 * types themselves (SPEC 7 field names), defined once in domain/types.ts.
 */

export type ReadingData = Reading;
/** A scan; its pass id is masked on the kiosk channel (SPEC 5). */
export type ScanData = Scan;
export type DeviceStatusData = DeviceStatus;
/** A passage; pass id and holder name are masked on the kiosk channel (SPEC 5). */
export type PassageData = Passage;

export const LIVE_KIOSK_PATH = "/live";
export const LIVE_GUARD_PATH = "/live/guard";

export type LiveEventType =
  | "reading"
  | "scan"
  | "passage"
  | "alert"
  | "alert_update"
  | "device_status";
export type LiveMessageType = LiveEventType | "hello";

export interface LiveMessage<D = unknown> {
  type: LiveMessageType;
  seq: number;
  /** ISO 8601 time of the event. */
  ts: string;
  checkpoint_id: string | null;
  data: D;
}

export interface HelloData {
  gateway_id: string;
  /** The newest seq at the moment of connecting: later messages have a higher one. */
  seq: number;
  /** The kiosk's checkpoint, with its fever rule so the screen can state it. */
  checkpoint: {
    id: string;
    name: string;
    mode: string;
    direction: string;
    fever_above_c?: number;
    comparator?: ">" | ">=";
  } | null;
  /** How the entrant's screen behaves (config `kiosk`): its voice, and a fever's least hold. */
  screen: { voice: "zh_en" | "zh" | "off"; fever_hold_s: number };
  open_alerts: unknown[];
  /** Set when the client asked for `since`: how many missed events follow this message. */
  replay: { since: number; count: number; truncated: boolean } | null;
}
