import type { AlertChange } from "../domain/events.js";
import type { Alert, DeviceStatus, Passage, Reading, Scan } from "../domain/types.js";

/**
 * The live push contract (docs/contract.md#live-push-websocket), imported by the gateway and by the kiosk pages alike so
 * the two cannot drift. Browser-safe: no Node imports here. The event shapes are the domain
 * types themselves (docs/contract.md#http-api field names), defined once in domain/types.ts.
 */

export type ReadingData = Reading;
/** A scan; its pass id is masked on the kiosk channel (docs/contract.md#live-push-websocket). */
export type ScanData = Scan;
export type DeviceStatusData = DeviceStatus;
/** A passage; pass id and holder name are masked on the kiosk channel (docs/contract.md#live-push-websocket). */
export type PassageData = Passage;

export const LIVE_KIOSK_PATH = "/live";
export const LIVE_GUARD_PATH = "/live/guard";

/** One live message: its type, the event's seq and time, its checkpoint, and its data. */
interface Envelope<T extends string, D> {
  type: T;
  seq: number;
  /** ISO 8601 time of the event. */
  ts: string;
  checkpoint_id: string | null;
  data: D;
}

/** An alert's change (opened, acknowledged, resolved): its state after it, with its own id. */
export type AlertData = AlertChange;

/**
 * The messages of committed events, keyed on `type` (as Zigbee2MQTT's API types): a client narrows on `type`
 * and never casts. On the kiosk channel the data holds only the fields of `KIOSK_FIELDS`.
 */
export type LiveEventMessage =
  | Envelope<"reading", ReadingData>
  | Envelope<"scan", ScanData>
  | Envelope<"passage", PassageData>
  | Envelope<"alert", AlertData>
  | Envelope<"alert_update", AlertData>
  | Envelope<"device_status", DeviceStatusData>;

/** The first message on every connection. */
export type HelloMessage = Envelope<"hello", HelloData>;
/** The kiosk channel's first message: its checkpoint's open alerts as kiosk views. */
export type KioskHelloMessage = Envelope<
  "hello",
  Omit<HelloData, "open_alerts"> & { open_alerts: Partial<Alert>[] }
>;

/** What the guard channel sends. */
export type LiveMessage = LiveEventMessage | HelloMessage;
/** What the kiosk channel sends (each event's data holds only the fields of `KIOSK_FIELDS`). */
export type KioskMessage = LiveEventMessage | KioskHelloMessage;
export type LiveEventType = LiveEventMessage["type"];
export type LiveMessageType = LiveMessage["type"];
/** The message of one type, narrowed. */
export type LiveMessageOf<T extends LiveMessageType> = Extract<LiveMessage, { type: T }>;

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
  /** The alerts open at the moment of connecting. */
  open_alerts: Alert[];
  /** Set when the client asked for `since`: how many missed events follow this message. */
  replay: { since: number; count: number; truncated: boolean } | null;
}
