import type { Logger } from "../../common/log.js";
import type { AlertDraft } from "../domain/alert-rules.js";
import type { DomainEvent } from "../domain/events.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { EventBus } from "../events.js";
import type { Metrics } from "../metrics.js";
import { isStorageFailure } from "../store/failures.js";
import type { Store } from "../store/store.js";
import type { DeviceRegistry } from "./devices.js";
import type { Arrival, Recorder } from "./recorder.js";

/** Called once the message is durably stored (null) or could not be (the error). */
/** Told once an arrival is committed (with the events it wrote: none for a repeat) or not. */
export type Committed = (error: Error | null, events?: readonly DomainEvent[]) => void;

/** Called inside every transaction with the events it wrote (the upstream outbox queues here). */
export type InTransaction = (events: readonly DomainEvent[], nowMs: number) => void;

interface Pending {
  arrival: Arrival;
  committed: Committed | undefined;
  /** The device whose message this is, or null for the gateway's own arrivals. */
  deviceId: string | null;
}

export interface IngestContext {
  store: Store;
  recorder: Recorder;
  bus: EventBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  /** Most arrivals in one transaction; more are committed in the next. */
  maxBatch?: number;
  /** Commit at most once per this many ms (see config `ingest.commit_delay_ms`). */
  commitDelayMs?: number;
  /** How often waiting halves are checked for a pairing window that has run out. */
  windowCheckMs?: number;
}

/**
 * The one write path (docs/contract.md#identity-and-order, 4): every device message, whatever its transport, and every
 * change the gateway makes by itself (a device going offline, a pairing window running out, an
 * upstream backlog alert) is an arrival. Arrivals are group-committed: everything submitted
 * while the event loop is busy is written, with everything it decides (recorder.ts), in one
 * transaction, one fsync for the lot. Only after it commits are the submitters told (an MQTT
 * device then gets its PUBACK), and only then are the events published on the bus.
 *
 * A commit costs about 200 µs of CPU however small (fsync and WAL frames), so commits are
 * spaced at least `commitDelayMs` apart: an idle gateway commits a lone reading at once, a
 * busy one gathers what arrives in the meantime into the next commit.
 *
 * A batch that fails is tried again one arrival per transaction, so one message that cannot be
 * written (a bug, a constraint) fails alone and is not acknowledged, while the others are; when
 * the disk itself fails, every one fails and none is acknowledged (devices send them again).
 */
export class Ingest {
  private pending: Pending[] = [];
  private flushScheduled = false;
  private lastCommitMs = 0;
  private windowTimer: NodeJS.Timeout | undefined;
  /** Whether the last commit failed for the storage itself (said once, not per batch). */
  private storageFailing = false;
  private readonly maxBatch: number;
  private readonly commitDelayMs: number;
  /** Steps other features run inside each transaction (the upstream outbox's rows). */
  private readonly inTransaction: InTransaction[] = [];

  constructor(private readonly ctx: IngestContext) {
    this.maxBatch = ctx.maxBatch ?? 5000;
    this.commitDelayMs = ctx.commitDelayMs ?? 0;
  }

  /**
   * Adds a step run inside each transaction, after the arrivals are written and before it
   * commits, with the events it wrote (before `start`).
   */
  duringEachCommit(step: InTransaction): void {
    this.inTransaction.push(step);
  }

  /** Starts checking pairing windows; halves left waiting by a crash are decided at once. */
  start(): void {
    this.checkWindows();
    this.windowTimer = setInterval(() => this.checkWindows(), this.ctx.windowCheckMs ?? 250);
    this.windowTimer.unref();
  }

  /** Stops the window checks and commits whatever is queued. */
  stop(): void {
    clearInterval(this.windowTimer);
    this.flush();
  }

  /** Queues a reading of a known thermometer for the next commit. */
  submitReading(input: ReadingInput, committed: Committed): void {
    if (!this.known(input.device_id, committed)) return;
    this.enqueue({ arrival: { kind: "reading", input }, committed, deviceId: input.device_id });
  }

  /** Queues a pass scan of a known reader for the next commit. */
  submitScan(input: ScanInput, committed: Committed): void {
    if (!this.known(input.device_id, committed)) return;
    this.enqueue({ arrival: { kind: "scan", input }, committed, deviceId: input.device_id });
  }

  /** Queues a network terminal's event (its reading and its card or face, one person). */
  submitTerminalEvent(
    deviceId: string,
    reading: ReadingInput | null,
    scan: ScanInput | null,
    committed: Committed,
  ): void {
    if (!this.known(deviceId, committed)) return;
    this.enqueue({ arrival: { kind: "terminal_event", reading, scan }, committed, deviceId });
  }

  /** Queues the opening of an alert the gateway raises itself (e.g. upstream backlog). */
  submitAlert(alert: AlertDraft): void {
    this.enqueue({ arrival: { kind: "alert", alert }, committed: undefined, deviceId: null });
  }

  /** Records a device going online or offline, if that is a change. */
  setDeviceOnline(
    deviceId: string,
    online: boolean,
    reason: string | null,
    tsMs = Date.now(),
  ): void {
    if (!this.ctx.devices.device(deviceId) || !this.ctx.devices.setOnline(deviceId, online)) return;
    this.enqueue({
      arrival: { kind: "device_status", deviceId, online, reason, tsMs },
      committed: undefined,
      deviceId,
    });
  }

  /**
   * Commits one change now, in order after everything already queued, and publishes its
   * events; for changes a person makes (a guard acknowledging an alert) that answer a request.
   * Throws what `write` throws, with nothing stored.
   */
  commitNow(write: () => DomainEvent | DomainEvent[]): DomainEvent[] {
    this.flush();
    const nowMs = Date.now();
    const events = this.ctx.store.writeBatch(() => {
      const written = write();
      const list = Array.isArray(written) ? written : [written];
      for (const hook of this.inTransaction) hook(list, nowMs);
      return list;
    });
    this.ctx.bus.publish(events);
    return events;
  }

  /** Commits whatever is queued now (also called on stop). */
  flush(): void {
    this.flushScheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.commit(batch);
    }
  }

  private known(deviceId: string, committed: Committed): boolean {
    if (this.ctx.devices.device(deviceId)) return true;
    committed(new Error(`unknown device '${deviceId}'`));
    return false;
  }

  /** Queues a `window_end` only when a window has run out: no empty commit every tick. */
  private checkWindows(): void {
    const nowMs = Date.now();
    if (this.ctx.recorder.windowEndedBy(nowMs))
      this.enqueue({
        arrival: { kind: "window_end", nowMs },
        committed: undefined,
        deviceId: null,
      });
  }

  private enqueue(item: Pending): void {
    this.pending.push(item);
    if (this.pending.length >= this.maxBatch) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      const wait = this.lastCommitMs + this.commitDelayMs - performance.now();
      if (wait > 0) setTimeout(() => this.flush(), wait);
      else setImmediate(() => this.flush());
    }
  }

  private commit(batch: Pending[]): void {
    const { metrics, log } = this.ctx;
    this.lastCommitMs = performance.now();
    const results = this.write(batch);
    if (results instanceof Error) {
      if (batch.length > 1 && !isStorageFailure(results)) {
        // Find the one that cannot be written: each alone, the others still go in.
        for (const item of batch) this.commit([item]);
        return;
      }
      metrics.storeErrors.inc(batch.length);
      if (!this.storageFailing || !isStorageFailure(results)) {
        const [item] = batch;
        log.error(
          { err: results, device: item?.deviceId ?? null, batch: batch.length },
          "store: not committed, not acknowledged (devices send it again); health says so until a write succeeds",
        );
      }
      this.storageFailing = isStorageFailure(results);
      for (const item of batch) item.committed?.(results);
      return;
    }
    if (this.storageFailing) log.warn("store: writes succeed again");
    this.storageFailing = false;
    metrics.batchSize.observe(batch.length);
    const now = Date.now();
    const published: DomainEvent[] = [];
    // Acknowledge first: nothing a listener does may hold back a device's PUBACK.
    batch.forEach((item, i) => {
      const events = results[i];
      if (item.deviceId !== null) this.ctx.devices.markSeen(item.deviceId, now);
      if (events === null) metrics.duplicates.inc({ device: item.deviceId ?? "" });
      else if (events !== undefined) published.push(...events);
      item.committed?.(null, events ?? []);
    });
    for (const event of published) count(metrics, event);
    this.ctx.bus.publish(published);
  }

  /** Writes a batch in one transaction; the events of each arrival, or the error. */
  private write(batch: Pending[]): (DomainEvent[] | null)[] | Error {
    const { store, recorder } = this.ctx;
    recorder.mark();
    try {
      return store.writeBatch(() => {
        const results = batch.map((item) => recorder.record(item.arrival));
        recorder.saveChanged();
        const events = results.flatMap((events) => events ?? []);
        const nowMs = Date.now();
        for (const hook of this.inTransaction) hook(events, nowMs);
        return results;
      });
    } catch (error) {
      recorder.undo();
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

function count(metrics: Metrics, event: DomainEvent): void {
  if (event.kind === "reading_stored") {
    const { checkpoint_id, status } = event.reading;
    metrics.readings.inc({ checkpoint: checkpoint_id, status });
    if (status === "fever") metrics.fevers.inc({ checkpoint: checkpoint_id });
  }
}
