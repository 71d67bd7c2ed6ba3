import {
  arrive,
  expire,
  type Half,
  NO_PENDING,
  type PairingState,
  type PassageDraft,
} from "../domain/pairing.js";
import { decidePassage } from "../domain/passage-rules.js";
import type { Reading, Scan } from "../domain/types.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { StoredEvent } from "../store/journal.js";
import type { Store } from "../store/store.js";
import type { DeviceRegistry } from "./devices.js";
import type { Ingest } from "./ingest.js";

export interface PassageDeskContext {
  bus: EventBus;
  store: Store;
  ingest: Ingest;
  devices: DeviceRegistry;
  log: Logger;
  pairingWindowMs: number;
  now?: () => number;
}

/** How often waiting halves are checked for a window that has run out. */
const EXPIRY_CHECK_MS = 250;

/**
 * Turns stored readings and scans into passages (SPEC 1, 2): pairs them per checkpoint with
 * the pure pairing rules, looks the pass up, decides with the pure passage rules, and hands the
 * passage to the ingest pipeline, which stores it and publishes it like any other event.
 */
export class PassageDesk {
  private readonly pending = new Map<string, PairingState>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly onStored = (event: StoredEvent) => this.take(event);

  constructor(private readonly ctx: PassageDeskContext) {
    this.now = ctx.now ?? Date.now;
  }

  start(): void {
    this.ctx.bus.on("stored", this.onStored);
    this.timer = setInterval(() => this.expireAll(), EXPIRY_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.ctx.bus.off("stored", this.onStored);
    clearInterval(this.timer);
  }

  private take(event: StoredEvent): void {
    if (event.type !== "reading" && event.type !== "scan") return;
    const checkpointId = event.checkpointId;
    const checkpoint =
      checkpointId === null ? undefined : this.ctx.devices.checkpoint(checkpointId);
    if (!checkpoint || checkpointId === null) return;
    let half: Half;
    if (event.type === "reading") {
      const reading = event.message.data as Reading;
      half = {
        kind: "reading",
        id: reading.id,
        tsMs: Date.parse(reading.ts),
        tempC: reading.temp_c,
        status: reading.status,
      };
    } else {
      const scan = event.message.data as Scan;
      half = { kind: "scan", id: scan.id, tsMs: Date.parse(scan.ts), passId: scan.pass_id };
    }
    const result = arrive(
      this.pending.get(checkpointId) ?? NO_PENDING,
      half,
      checkpoint.mode,
      this.ctx.pairingWindowMs,
    );
    this.pending.set(checkpointId, result.state);
    for (const draft of result.drafts) this.settle(checkpointId, draft);
  }

  private expireAll(): void {
    const nowMs = this.now();
    for (const [checkpointId, state] of this.pending) {
      const checkpoint = this.ctx.devices.checkpoint(checkpointId);
      if (!checkpoint) continue;
      const result = expire(state, nowMs, checkpoint.mode, this.ctx.pairingWindowMs);
      this.pending.set(checkpointId, result.state);
      for (const draft of result.drafts) this.settle(checkpointId, draft);
    }
  }

  private settle(checkpointId: string, draft: PassageDraft): void {
    const checkpoint = this.ctx.devices.checkpoint(checkpointId);
    if (!checkpoint) return;
    const pass = draft.scan ? this.ctx.store.passes.facts(draft.scan.passId) : undefined;
    const { decision, reasons } = decidePassage({
      mode: checkpoint.mode,
      enforcement: checkpoint.enforcement,
      direction: checkpoint.direction,
      readingStatus: draft.reading?.status ?? null,
      scan: draft.scan ? { pass } : null,
      nowMs: draft.tsMs,
    });
    this.ctx.ingest.submitPassage({
      ts_ms: draft.tsMs,
      checkpoint_id: checkpointId,
      pass_id: draft.scan?.passId ?? null,
      holder_name: pass?.holderName ?? null,
      reading_id: draft.reading?.id ?? null,
      scan_id: draft.scan?.id ?? null,
      temp_c: draft.reading?.tempC ?? null,
      decision,
      reasons,
    });
  }
}
