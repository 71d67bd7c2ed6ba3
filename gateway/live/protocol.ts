/**
 * The live push contract (SPEC 5), imported by the gateway and by the kiosk pages alike so
 * the two cannot drift. Browser-safe: no Node imports here.
 */

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

export interface ReadingData {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  temp_c: number;
  raw_c: number;
  ambient_c: number | null;
  status: "invalid" | "low" | "normal" | "fever";
  pass_id: string | null;
  msg_id: string | null;
}

export interface ScanData {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  /** Masked on the kiosk channel (SPEC 5). */
  pass_id: string;
  method: "card" | "qr";
  msg_id: string | null;
}

export interface DeviceStatusData {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  online: boolean;
  reason: string | null;
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
  open_alerts: unknown[];
  /** Set when the client asked for `since`: how many missed events follow this message. */
  replay: { since: number; count: number; truncated: boolean } | null;
}
