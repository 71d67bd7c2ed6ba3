import { type LowRetestRule, lowForPass, lowInARow } from "./low-retest.js";
import type { Alert, AlertKind, CheckpointMode, Passage, Reading } from "./types.js";

/**
 * Which alerts a stored reading or a decided passage opens (docs/contract.md#identity-and-order, 2), as pure functions over
 * explicit state. The write path calls them inside the transaction that stores the reading or
 * passage, so an alert is never missing for a committed fever.
 */

/** An alert to open: what it is about, and when. */
export type AlertDraft = Pick<
  Alert,
  "kind" | "checkpoint_id" | "device_id" | "passage_id" | "reading_id" | "pass_id" | "temp_c"
> & { ts_ms: number };

/** Times of recent lows per pass id (JSON-friendly, so it can be stored as it is). */
export type LowsByPass = Readonly<Record<string, readonly number[]>>;

/** Passage reasons that are also alert kinds a guard must see. */
const PASS_ALERTS: readonly AlertKind[] = [
  "unknown_pass",
  "revoked_pass",
  "expired_pass",
  "observation",
];

/**
 * A reading's alerts: `fever` at once (before its passage, docs/contract.md#screening-and-decisions), and at a checkpoint without
 * passes a run of `low` readings in a row (`low_retest`), which stands for one person
 * re-measured. `lowsInARow` is the checkpoint's current run.
 */
export function readingAlerts(
  reading: Reading,
  tsMs: number,
  mode: CheckpointMode,
  lowsInARow: number,
  rule: LowRetestRule,
): { alerts: AlertDraft[]; lowsInARow: number } {
  const alert = (kind: AlertKind): AlertDraft => ({
    kind,
    checkpoint_id: reading.checkpoint_id,
    device_id: reading.device_id,
    reading_id: reading.id,
    passage_id: null,
    pass_id: null,
    temp_c: reading.temp_c,
    ts_ms: tsMs,
  });
  const alerts: AlertDraft[] = [];
  if (reading.status === "fever") alerts.push(alert("fever"));
  if (mode !== "temperature_only") return { alerts, lowsInARow };
  const run = lowInARow(lowsInARow, reading.status === "low", rule);
  if (run.alert) alerts.push(alert("low_retest"));
  return { alerts, lowsInARow: run.count };
}

/**
 * A passage's alerts: each pass reason a guard must see (unknown, revoked, expired, under
 * observation), and `low_retest` when the same pass read low again within the window.
 */
export function passageAlerts(
  passage: Passage,
  tsMs: number,
  lowsByPass: LowsByPass,
  rule: LowRetestRule,
): { alerts: AlertDraft[]; lowsByPass: LowsByPass } {
  if (passage.reasons.length === 0) return { alerts: [], lowsByPass };
  const base = {
    checkpoint_id: passage.checkpoint_id,
    device_id: null,
    reading_id: passage.reading_id,
    passage_id: passage.id,
    pass_id: passage.pass_id,
    temp_c: passage.temp_c,
    ts_ms: tsMs,
  };
  const alerts: AlertDraft[] = passage.reasons
    .filter((reason): reason is AlertKind & typeof reason =>
      PASS_ALERTS.some((kind) => kind === reason),
    )
    .map((kind) => ({ ...base, kind }));
  if (passage.pass_id === null || !passage.reasons.includes("low")) return { alerts, lowsByPass };
  const result = lowForPass(new Map(Object.entries(lowsByPass)), passage.pass_id, base.ts_ms, rule);
  if (result.alert) alerts.push({ ...base, kind: "low_retest" });
  return { alerts, lowsByPass: Object.fromEntries(result.lows) };
}

/**
 * A device's status change: going offline opens `device_offline` unless one is already open;
 * coming back resolves every open one (by `system`).
 */
export function deviceStatusAlerts(
  status: { device_id: string; checkpoint_id: string; online: boolean; ts_ms: number },
  openOfflineAlerts: readonly string[],
): { open: AlertDraft | null; resolve: readonly string[] } {
  if (status.online) return { open: null, resolve: openOfflineAlerts };
  if (openOfflineAlerts.length > 0) return { open: null, resolve: [] };
  return {
    open: {
      kind: "device_offline",
      checkpoint_id: status.checkpoint_id,
      device_id: status.device_id,
      reading_id: null,
      passage_id: null,
      pass_id: null,
      temp_c: null,
      ts_ms: status.ts_ms,
    },
    resolve: [],
  };
}

/** When a pass reader's unknown codes are a fault of the reader, not people (docs/contract.md#screening-and-decisions extension). */
export interface StormRule {
  /** This many unknown codes from one reader within `windowMs` ... */
  count: number;
  windowMs: number;
}

export const READER_STORM: StormRule = { count: 10, windowMs: 60_000 };

/**
 * An unknown pass at a reader: one guard alert per code while codes are rare; when a reader
 * sends `count` unknown codes within `windowMs` (a faulty reader, line noise, someone trying
 * card numbers) one `reader_fault` alert about the reader instead, and no alert per code while
 * it is open (the passages are still stored and denied). `recent` are the reader's recent
 * unknown-code times; `faultOpen` whether its `reader_fault` alert is open.
 */
export function unknownCodeAlert(
  recent: readonly number[],
  nowMs: number,
  faultOpen: boolean,
  rule: StormRule,
): { recent: number[]; alert: "unknown_pass" | "reader_fault" | null } {
  if (faultOpen) return { recent: [], alert: null };
  const times = [...recent.filter((t) => nowMs - t < rule.windowMs), nowMs];
  if (times.length >= rule.count) return { recent: [], alert: "reader_fault" };
  return { recent: times, alert: "unknown_pass" };
}
