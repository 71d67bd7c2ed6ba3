import type { Transform } from "node:stream";
import type { ScanMethod } from "../domain/types.js";
import { debounceScan, type SeenPasses } from "./debounce.js";

/**
 * What every serial protocol folder provides (docs/contract.md#devices-on-serial-ports): from its own config, a parser for the
 * bytes and the conversion of its frames into domain input. serial-device.ts owns the port and
 * hands the input to the write path; it knows no protocol.
 */

/** A frame's meaning: a reading or a scan, before it has a device id. */
export type SerialInput =
  | { kind: "reading"; raw_c: number; ambient_c: number | null; ts_ms: number }
  | { kind: "scan"; pass_id: string; method: ScanMethod; ts_ms: number };

export interface DriverContext {
  /** Takes a frame's meaning to the write path. */
  emit(input: SerialInput): void;
  now(): number;
}

/** One device's protocol at work: its parser, and what it does when the port opens and closes. */
export interface SerialDriver {
  parser: Transform;
  /** The port opened: e.g. ask the module for output. */
  opened?(write: (bytes: Buffer) => void): void;
  /** The port closed or the device stopped: stop asking. */
  closed?(): void;
}

/**
 * A pass reader's scans, one per presentation: a reader repeats its frame while the card is
 * held, so the same pass again within `debounceMs` is the same scan (debounce.ts).
 */
export function scansOf(
  ctx: DriverContext,
  method: ScanMethod,
  debounceMs: number,
): (passId: string) => void {
  let seen: SeenPasses = new Map();
  return (passId) => {
    const nowMs = ctx.now();
    const result = debounceScan(seen, passId, nowMs, debounceMs);
    seen = result.seen;
    if (result.isNewScan) ctx.emit({ kind: "scan", pass_id: passId, method, ts_ms: nowMs });
  };
}
