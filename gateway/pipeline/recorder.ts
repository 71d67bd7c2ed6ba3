import {
  type AlertDraft,
  deviceStatusAlerts,
  passageAlerts,
  READER_STORM,
  readingAlerts,
  unknownCodeAlert,
} from "../domain/alert-rules.js";
import type { DomainEvent } from "../domain/events.js";
import type { LowRetestRule } from "../domain/low-retest.js";
import {
  arrive,
  expire,
  type Half,
  type PassageDraft,
  type PendingReading,
  type PendingScan,
} from "../domain/pairing.js";
import { decidePassage } from "../domain/passage-rules.js";
import { screenTemperature } from "../domain/screening.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { Store } from "../store/store.js";
import { DecisionMemory } from "./decision-memory.js";
import type { DeviceRegistry } from "./devices.js";

/** Something that arrived and is written, with all it decides, in one transaction. */
export type Arrival =
  | { kind: "reading"; input: ReadingInput }
  | { kind: "scan"; input: ScanInput }
  /** A network terminal's event (docs/contract.md#network-terminals-over-http): its reading and its card or face, one person. */
  | { kind: "terminal_event"; reading: ReadingInput | null; scan: ScanInput | null }
  | {
      kind: "device_status";
      deviceId: string;
      online: boolean;
      reason: string | null;
      tsMs: number;
    }
  | { kind: "alert"; alert: AlertDraft }
  /** Decides the halves whose pairing window has run out by `nowMs`. */
  | { kind: "window_end"; nowMs: number };

export interface RecorderContext {
  store: Store;
  devices: DeviceRegistry;
  pairingWindowMs: number;
  /** When lows raise `low_retest` (config `alerts`, in ms). */
  lowRetest: LowRetestRule;
}

/**
 * Writes an arrival and everything it decides (docs/contract.md#identity-and-order "committed together"): the reading or
 * scan, the passage it completes or the half it leaves waiting, the alerts it opens, a device's
 * status change and the alerts that opens or resolves. Every decision is a pure function
 * (screening, pairing, passage rules, alert rules); this class only feeds them and writes what
 * they decide. Call `record` inside a transaction (ingest.ts does), then `saveChanged` in the
 * same one, so the decisions' memory on disk always matches what was committed.
 */
export class Recorder {
  private readonly memory: DecisionMemory;
  private readonly rule: LowRetestRule;

  constructor(private readonly ctx: RecorderContext) {
    this.memory = new DecisionMemory(ctx.store.decisionState);
    this.rule = ctx.lowRetest;
  }

  /** Whether any half is waiting for its partner. */
  get hasWaiting(): boolean {
    return this.memory.waitingCheckpoints().length > 0;
  }

  /** Whether some waiting half's window has run out by `nowMs` (a `window_end` would decide it). */
  windowEndedBy(nowMs: number): boolean {
    return this.memory.waitingCheckpoints().some((checkpointId) => {
      const { readings, scans } = this.memory.pairing(checkpointId);
      return [...readings, ...scans].some((half) => nowMs - half.tsMs > this.ctx.pairingWindowMs);
    });
  }

  /** The events the arrival produced, in order; null for a repeated message (stored once). */
  record(arrival: Arrival): DomainEvent[] | null {
    switch (arrival.kind) {
      case "reading":
        return this.reading(arrival.input);
      case "scan":
        return this.scan(arrival.input);
      case "terminal_event":
        return this.terminalEvent(arrival.reading, arrival.scan);
      case "device_status":
        return this.deviceStatus(arrival);
      case "alert":
        return this.raised(arrival.alert);
      case "window_end":
        return this.windowEnd(arrival.nowMs);
    }
  }

  /** Starts an undo point; see DecisionMemory. */
  mark(): void {
    this.memory.mark();
  }

  /** The transaction since `mark()` did not commit: forget what it changed. */
  undo(): void {
    this.memory.undo();
  }

  /** Writes the decisions' changed memory; inside the transaction of what changed it. */
  saveChanged(): void {
    this.memory.saveChanged();
  }

  private reading(input: ReadingInput): DomainEvent[] | null {
    const stored = this.storeReading(input);
    if (!stored) return null;
    if (!this.ctx.devices.checkpoint(stored.checkpointId)) return stored.events;
    return this.pair(stored.checkpointId, stored.half, stored.events);
  }

  /** Stores a screened reading with the alerts it raises at once (a fever before its passage). */
  private storeReading(
    input: ReadingInput,
  ): { events: DomainEvent[]; half: PendingReading; checkpointId: string } | null {
    const { store, devices } = this.ctx;
    const device = devices.device(input.device_id);
    const rules = devices.rules(input.device_id);
    if (!device || !rules) throw new Error(`unknown device '${input.device_id}'`);
    const screened = screenTemperature(input.raw_c, device.offset_c, rules);
    const stored = store.readings.insert({
      ts_ms: input.ts_ms,
      device_id: device.id,
      checkpoint_id: device.checkpoint,
      temp_c: screened.tempC,
      raw_c: input.raw_c,
      ambient_c: input.ambient_c,
      status: screened.status,
      pass_id: null,
      msg_id: input.msg_id,
      device_ts_ms: input.device_ts_ms ?? null,
      terminal_verdict: input.terminal_verdict ?? null,
    });
    if (!stored) return null;
    const { reading } = stored;
    const events: DomainEvent[] = [stored];
    const half: PendingReading = {
      kind: "reading",
      id: reading.id,
      tsMs: input.ts_ms,
      tempC: reading.temp_c,
      status: reading.status,
    };
    const checkpoint = devices.checkpoint(reading.checkpoint_id);
    if (!checkpoint) return { events, half, checkpointId: reading.checkpoint_id };
    // The fever alert is stored ahead of the passage: the guard hears of it at once (docs/contract.md#screening-and-decisions).
    const alerts = readingAlerts(
      reading,
      input.ts_ms,
      checkpoint.mode,
      this.memory.lowsInARow(checkpoint.id),
      this.rule,
    );
    this.memory.setLowsInARow(checkpoint.id, alerts.lowsInARow);
    for (const alert of alerts.alerts) events.push(store.alerts.open(alert));
    return { events, half, checkpointId: checkpoint.id };
  }

  private scan(input: ScanInput): DomainEvent[] | null {
    const stored = this.storeScan(input);
    if (!stored) return null;
    return this.pair(stored.checkpointId, stored.half, [stored.event]);
  }

  private storeScan(
    input: ScanInput,
  ): { event: DomainEvent; half: PendingScan; checkpointId: string } | null {
    const device = this.ctx.devices.device(input.device_id);
    if (!device) throw new Error(`unknown device '${input.device_id}'`);
    const stored = this.ctx.store.scans.insert({ ...input, checkpoint_id: device.checkpoint });
    if (!stored) return null;
    const half: PendingScan = {
      kind: "scan",
      id: stored.scan.id,
      tsMs: input.ts_ms,
      passId: input.pass_id,
      deviceId: input.device_id,
    };
    return { event: stored, half, checkpointId: device.checkpoint };
  }

  /**
   * A terminal's event: its reading and its card or face are one person, so at a gate that pairs
   * them they make one passage at once, whatever else waits there; alone, a half pairs as any
   * other device's would. A repeated event (its serial number again) is stored once.
   */
  private terminalEvent(
    reading: ReadingInput | null,
    scan: ScanInput | null,
  ): DomainEvent[] | null {
    if (reading && scan) {
      const device = this.ctx.devices.device(reading.device_id);
      const checkpoint = device && this.ctx.devices.checkpoint(device.checkpoint);
      if (checkpoint?.mode === "pass_and_temperature") {
        const measured = this.storeReading(reading);
        if (!measured) return null;
        const read = this.storeScan(scan);
        if (!read) return measured.events;
        const events = [...measured.events, read.event];
        this.settle(
          checkpoint.id,
          {
            tsMs: Math.max(measured.half.tsMs, read.half.tsMs),
            reading: measured.half,
            scan: read.half,
          },
          events,
        );
        return events;
      }
    }
    const events: DomainEvent[] = [];
    for (const half of [reading && this.reading(reading), scan && this.scan(scan)]) {
      if (half === null) continue;
      events.push(...half);
    }
    return events.length === 0 && (reading || scan) ? null : events;
  }

  private pair(checkpointId: string, half: Half, events: DomainEvent[]): DomainEvent[] {
    const checkpoint = this.ctx.devices.checkpoint(checkpointId);
    if (!checkpoint) return events;
    const result = arrive(
      this.memory.pairing(checkpointId),
      half,
      checkpoint.mode,
      this.ctx.pairingWindowMs,
    );
    this.memory.setPairing(checkpointId, result.state);
    for (const draft of result.drafts) this.settle(checkpointId, draft, events);
    return events;
  }

  private windowEnd(nowMs: number): DomainEvent[] {
    const events: DomainEvent[] = [];
    for (const checkpointId of this.memory.waitingCheckpoints()) {
      const checkpoint = this.ctx.devices.checkpoint(checkpointId);
      // A checkpoint no longer configured: its halves cannot be decided by its rules.
      const mode = checkpoint?.mode ?? "temperature_only";
      const result = expire(
        this.memory.pairing(checkpointId),
        nowMs,
        mode,
        this.ctx.pairingWindowMs,
      );
      this.memory.setPairing(checkpointId, result.state);
      if (checkpoint) for (const draft of result.drafts) this.settle(checkpointId, draft, events);
    }
    return events;
  }

  /** Decides a passage (pure rules), stores it and opens its alerts. */
  private settle(checkpointId: string, draft: PassageDraft, events: DomainEvent[]): void {
    const { store, devices } = this.ctx;
    const checkpoint = devices.checkpoint(checkpointId);
    if (!checkpoint) return;
    const pass = draft.scan ? store.passes.facts(draft.scan.passId) : undefined;
    const { decision, reasons } = decidePassage({
      mode: checkpoint.mode,
      enforcement: checkpoint.enforcement,
      direction: checkpoint.direction,
      readingStatus: draft.reading?.status ?? null,
      scan: draft.scan ? { pass } : null,
      nowMs: draft.tsMs,
    });
    const stored = store.passages.insert({
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
    events.push(stored);
    const alerts = passageAlerts(stored.passage, draft.tsMs, this.memory.lowsByPass(), this.rule);
    this.memory.setLowsByPass(alerts.lowsByPass);
    for (const alert of this.readerStorm(alerts.alerts, draft))
      events.push(store.alerts.open(alert));
  }

  /**
   * A reader's unknown codes: an alert per code while they are rare, one `reader_fault` about
   * the reader when they come in a storm (alert-rules.ts `unknownCodeAlert`).
   */
  private readerStorm(alerts: AlertDraft[], draft: PassageDraft): AlertDraft[] {
    const deviceId = draft.scan?.deviceId;
    const unknown = alerts.find((alert) => alert.kind === "unknown_pass");
    if (deviceId === undefined || !unknown) return alerts;
    const faultOpen = this.ctx.store.alerts.activeFor("reader_fault", deviceId).length > 0;
    const storm = unknownCodeAlert(
      this.memory.unknownCodes(deviceId),
      draft.tsMs,
      faultOpen,
      READER_STORM,
    );
    this.memory.setUnknownCodes(deviceId, storm.recent);
    const others = alerts.filter((alert) => alert !== unknown);
    if (storm.alert === "unknown_pass") return alerts;
    if (storm.alert === null) return others;
    return [...others, { ...unknown, kind: "reader_fault", device_id: deviceId, pass_id: null }];
  }

  /**
   * An alert the gateway raises itself: a device's equipment alert (a terminal's gap) is opened
   * once while it is active, however often its cause repeats (a hostile terminal jumping its
   * serial again and again makes one alert, not one per jump).
   */
  private raised(alert: AlertDraft): DomainEvent[] {
    const { alerts } = this.ctx.store;
    if (alert.device_id !== null && alerts.activeFor(alert.kind, alert.device_id).length > 0)
      return [];
    return [alerts.open(alert)];
  }

  private deviceStatus(change: Extract<Arrival, { kind: "device_status" }>): DomainEvent[] {
    const { store, devices } = this.ctx;
    const device = devices.device(change.deviceId);
    if (!device) throw new Error(`unknown device '${change.deviceId}'`);
    const stored = store.deviceStatus.insert({
      device_id: device.id,
      checkpoint_id: device.checkpoint,
      online: change.online,
      reason: change.reason,
      ts_ms: change.tsMs,
    });
    const events: DomainEvent[] = [stored];
    const open = store.alerts.activeFor("device_offline", device.id).map((alert) => alert.id);
    const alerts = deviceStatusAlerts(
      {
        device_id: device.id,
        checkpoint_id: device.checkpoint,
        online: change.online,
        ts_ms: change.tsMs,
      },
      open,
    );
    if (alerts.open) events.push(store.alerts.open(alerts.open));
    for (const alertId of alerts.resolve) {
      events.push(
        store.alerts.resolve(alertId, "system", change.tsMs, {
          disposition: null,
          confirm_temp_c: null,
          note: "device back online",
        }),
      );
    }
    return events;
  }
}
