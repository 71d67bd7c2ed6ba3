import type { CheckpointMode, ReadingStatus } from "./types.js";

/**
 * Pairing a scan and a reading at one checkpoint into one passage (docs/contract.md#screening-and-decisions), as pure functions
 * over explicit state. Halves pair within `windowMs` of each other (inclusive), in either
 * order, oldest waiting half first, each used once.
 *
 * - `pass_and_temperature`: a half waits for its partner; when the window runs out it becomes
 *   a passage alone (denied `no_temperature` or `no_pass` by the rules).
 * - `temperature_only`: every reading is a passage at once; a scan shown in the window before
 *   it is attached. A scan after it, or with no reading, makes no passage.
 * - `pass_only`: every scan is a passage at once; readings make none.
 */

export interface PendingReading {
  kind: "reading";
  id: string;
  tsMs: number;
  tempC: number;
  status: ReadingStatus;
}

export interface PendingScan {
  kind: "scan";
  id: string;
  tsMs: number;
  passId: string;
  /** The reader it came from (absent in halves stored by an older gateway). */
  deviceId?: string;
}

export type Half = PendingReading | PendingScan;

export interface PairingState {
  readings: readonly PendingReading[];
  scans: readonly PendingScan[];
}

export const NO_PENDING: PairingState = { readings: [], scans: [] };

/** A passage to decide: its halves and when it happened (the later half's time). */
export interface PassageDraft {
  tsMs: number;
  reading: PendingReading | null;
  scan: PendingScan | null;
}

export function arrive(
  state: PairingState,
  half: Half,
  mode: CheckpointMode,
  windowMs: number,
): { state: PairingState; drafts: PassageDraft[] } {
  const within = (other: Half) => Math.abs(other.tsMs - half.tsMs) <= windowMs;
  if (half.kind === "reading") {
    if (mode === "pass_only") return { state, drafts: [] };
    const partner = state.scans.find(within);
    const scans = partner ? state.scans.filter((s) => s !== partner) : state.scans;
    if (mode === "temperature_only") {
      return {
        state: { ...state, scans },
        drafts: [{ tsMs: half.tsMs, reading: half, scan: partner ?? null }],
      };
    }
    if (partner)
      return {
        state: { ...state, scans },
        drafts: [{ tsMs: Math.max(half.tsMs, partner.tsMs), reading: half, scan: partner }],
      };
    return { state: { ...state, readings: [...state.readings, half] }, drafts: [] };
  }
  if (mode === "pass_only")
    return { state, drafts: [{ tsMs: half.tsMs, reading: null, scan: half }] };
  if (mode === "temperature_only")
    return { state: { ...state, scans: [...state.scans, half] }, drafts: [] };
  const partner = state.readings.find(within);
  if (partner) {
    return {
      state: { ...state, readings: state.readings.filter((r) => r !== partner) },
      drafts: [{ tsMs: Math.max(half.tsMs, partner.tsMs), reading: partner, scan: half }],
    };
  }
  return { state: { ...state, scans: [...state.scans, half] }, drafts: [] };
}

/** Halves whose window has run out by `nowMs`: lone passages (pass_and_temperature) or dropped. */
export function expire(
  state: PairingState,
  nowMs: number,
  mode: CheckpointMode,
  windowMs: number,
): { state: PairingState; drafts: PassageDraft[] } {
  const alive = (half: Half) => nowMs - half.tsMs <= windowMs;
  const expiredReadings = state.readings.filter((r) => !alive(r));
  const expiredScans = state.scans.filter((s) => !alive(s));
  if (expiredReadings.length === 0 && expiredScans.length === 0) return { state, drafts: [] };
  const next = { readings: state.readings.filter(alive), scans: state.scans.filter(alive) };
  if (mode !== "pass_and_temperature") return { state: next, drafts: [] };
  const drafts: PassageDraft[] = [
    ...expiredReadings.map((reading) => ({ tsMs: reading.tsMs + windowMs, reading, scan: null })),
    ...expiredScans.map((scan) => ({ tsMs: scan.tsMs + windowMs, reading: null, scan })),
  ].sort((a, b) => a.tsMs - b.tsMs);
  return { state: next, drafts };
}
