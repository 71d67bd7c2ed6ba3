import type { Downtime } from "./downtime.js";

/**
 * Domain types shared by every layer (docs/contract.md#identity-and-order). Field names are the wire names (docs/contract.md#http-api): the
 * objects below are what the store keeps, the live hub pushes and the API answers, unchanged.
 */

export const READING_STATUSES = ["invalid", "low", "normal", "fever"] as const;
export type ReadingStatus = (typeof READING_STATUSES)[number];

export type CheckpointMode = "temperature_only" | "pass_and_temperature" | "pass_only";
export type CheckpointDirection = "in" | "out" | "both";
export type Enforcement = "hard" | "soft";
/** A terminal (docs/contract.md#network-terminals-over-http) is a thermometer and a reader in one. */
export type DeviceKind = "thermometer" | "pass_reader" | "door" | "terminal";
export type Transport = "mqtt" | "serial";

/** A temperature as a device reported it, before screening. */
export interface ReadingInput {
  device_id: string;
  /** Degrees Celsius as the sensor sent it, before the device's calibration offset. */
  raw_c: number;
  ambient_c: number | null;
  /** Device time in ms since the epoch, or gateway time when the device sent none. */
  ts_ms: number;
  /** The device's own message id (MQTT), used to store a redelivered message once. */
  msg_id: string | null;
  /** The time the device sent when it was too far from the gateway's to be used (see `ts_ms`). */
  device_ts_ms?: number | null;
  /** A network terminal's own verdict (docs/contract.md#network-terminals-over-http). */
  terminal_verdict?: TerminalVerdict | null;
}

/** A screened reading as stored and pushed. */
export interface Reading {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  /** Judged temperature: raw_c + offset_c rounded half-up to 0.1 °C (docs/contract.md#screening-and-decisions). */
  temp_c: number;
  raw_c: number;
  ambient_c: number | null;
  status: ReadingStatus;
  pass_id: string | null;
  msg_id: string | null;
  /** The device's own time, kept when its clock was too far off to be used; else null. */
  device_ts_ms: number | null;
  /** A network terminal's own verdict, kept beside the gateway's screening (docs/contract.md#network-terminals-over-http), or null. */
  terminal_verdict: TerminalVerdict | null;
}

/** What a terminal judged itself: over temperature, and whether it saw a mask. */
export interface TerminalVerdict {
  over_temperature: boolean | null;
  mask: "yes" | "no" | "unknown" | null;
}

/** How a pass was read: a card, a QR code, or a terminal's face match (its person id). */
export type ScanMethod = "card" | "qr" | "face";

/** A pass presented at a reader, before it is stored. */
export interface ScanInput {
  device_id: string;
  pass_id: string;
  method: ScanMethod;
  ts_ms: number;
  msg_id: string | null;
  /** The time the device sent when it was too far from the gateway's to be used. */
  device_ts_ms?: number | null;
}

export interface Scan {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  pass_id: string;
  method: ScanMethod;
  msg_id: string | null;
  /** The device's own time, kept when its clock was too far off to be used; else null. */
  device_ts_ms: number | null;
}

export interface DeviceStatus {
  id: string;
  seq: number;
  ts: string;
  device_id: string;
  checkpoint_id: string;
  online: boolean;
  reason: string | null;
}

export const PASS_STATUSES = ["active", "revoked"] as const;
export type PassStatus = (typeof PASS_STATUSES)[number];

/** A pass (出入证) as the API shows it (docs/contract.md#http-api); times are ISO 8601 or null. */
export interface Pass {
  pass_id: string;
  holder_name: string;
  unit: string;
  status: PassStatus;
  valid_until: string | null;
  observation_until: string | null;
}

/** Why a passage was denied or flagged (docs/contract.md#screening-and-decisions), in the order they are listed. */
export const PASSAGE_REASONS = [
  "fever",
  "low",
  "invalid",
  "unknown_pass",
  "revoked_pass",
  "expired_pass",
  "observation",
  "no_pass",
  "no_temperature",
] as const;
export type PassageReason = (typeof PASSAGE_REASONS)[number];
export type PassageDecision = "allow" | "deny";

/** One person at one checkpoint (docs/contract.md#identity-and-order, 7). `holder_name` is an extension, masked on kiosks. */
export interface Passage {
  id: string;
  seq: number;
  ts: string;
  checkpoint_id: string;
  pass_id: string | null;
  holder_name: string | null;
  reading_id: string | null;
  scan_id: string | null;
  temp_c: number | null;
  decision: PassageDecision;
  reasons: PassageReason[];
}

export const ALERT_KINDS = [
  "fever",
  "low_retest",
  "unknown_pass",
  "revoked_pass",
  "expired_pass",
  "observation",
  "device_offline",
  "upstream_backlog",
  "reader_fault",
  "terminal_gap",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/**
 * How an alert ended (docs/contract.md#http-api, extended): a person released, referred to a fever clinic, refused
 * entry, a false alarm, or (devices and the district link) the fault fixed.
 */
export const DISPOSITIONS = ["released", "referred", "refused", "false_alarm", "fixed"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Something a guard must see (docs/contract.md#identity-and-order, 7). `pass_id`, `temp_c` and the `_at` times are extensions. */
export interface Alert {
  /** In the API, the alert's id; in a live or upstream alert change, the change's own event id. */
  id: string;
  /** The alert's id (the id of the event that opened it), on every change (docs/contract.md#identity-and-order). */
  alert_id: string;
  seq: number;
  kind: AlertKind;
  state: AlertState;
  checkpoint_id: string | null;
  device_id: string | null;
  passage_id: string | null;
  reading_id: string | null;
  pass_id: string | null;
  temp_c: number | null;
  opened_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  disposition: Disposition | null;
  confirm_temp_c: number | null;
  note: string | null;
}

/** The daily summary (docs/contract.md#http-api `GET /api/summary/daily`, upstream kind `summary`). */
export interface HourCounts {
  /** Hours since local midnight: 0-23 (a day clocks change has 23 or 25). */
  hour: number;
  passages: number;
  allowed: number;
  denied: number;
  fevers: number;
  lows: number;
}

export interface DeviceDowntime extends Downtime {
  device_id: string;
}

export interface DailyCheckpointSummary {
  checkpoint_id: string;
  passages: number;
  allowed: number;
  denied: number;
  denied_by_reason: Record<string, number>;
  fevers: number;
  lows: number;
  hours: HourCounts[];
}

export interface DeviceDowntimeSummary {
  device_id: string;
  /** Seconds offline within the day (up to now for today). */
  downtime_s: number;
  outages: number;
}

export interface CheckpointDaySummary extends DailyCheckpointSummary {
  name: string;
  devices: DeviceDowntimeSummary[];
}

export interface DaySummary {
  date: string;
  timezone: string;
  checkpoints: CheckpointDaySummary[];
}
