import { screenTemperature } from "../domain/screening.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { NewAlert } from "../store/alerts.js";
import type { StoredEvent } from "../store/journal.js";
import type { NewPassage } from "../store/passages.js";
import type { Store } from "../store/store.js";
import type { DeviceRegistry } from "./devices.js";

/** Called once the message is durably stored (null) or could not be (the error). */
export type Committed = (error: Error | null) => void;

interface PendingWrite {
  write: () => StoredEvent | null;
  committed: Committed | undefined;
  deviceId: string;
}

export interface IngestContext {
  store: Store;
  bus: EventBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  /** Most writes in one transaction; more are committed in the next. */
  maxBatch?: number;
  /** Commit at most once per this many ms (see config `ingest.commit_delay_ms`). */
  commitDelayMs?: number;
  /**
   * Called for every stored event inside its transaction: the upstream forwarder queues what
   * it forwards here, so an event and its outbox row are committed together or not at all.
   */
  alsoInTransaction?: (event: StoredEvent) => void;
}

/**
 * The one path every device message takes into the store, whatever its transport: screen,
 * then group-commit. Everything submitted while the event loop is busy is written in one
 * transaction, one fsync for the lot; only after it commits are the submitters told (an MQTT
 * device then gets its PUBACK) and the events published on the bus.
 *
 * A commit costs about 200 µs of CPU however small (measured here: fsync and WAL frames),
 * so commits are spaced at least `commitDelayMs` apart: an idle gateway commits a lone
 * reading at once, a busy one gathers what arrives in the meantime into the next commit.
 */
export class Ingest {
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private lastCommitMs = 0;
  private readonly maxBatch: number;
  private readonly commitDelayMs: number;

  constructor(private readonly ctx: IngestContext) {
    this.maxBatch = ctx.maxBatch ?? 5000;
    this.commitDelayMs = ctx.commitDelayMs ?? 0;
  }

  /** Screens a reading of a known thermometer and queues it for the next commit. */
  submitReading(input: ReadingInput, committed: Committed): void {
    const device = this.ctx.devices.device(input.device_id);
    const rules = this.ctx.devices.rules(input.device_id);
    if (!device || !rules) {
      committed(new Error(`unknown device '${input.device_id}'`));
      return;
    }
    const screened = screenTemperature(input.raw_c, device.offset_c, rules);
    const { store } = this.ctx;
    this.enqueue({
      deviceId: device.id,
      committed,
      write: () =>
        store.readings.insert({
          ts_ms: input.ts_ms,
          device_id: device.id,
          checkpoint_id: device.checkpoint,
          temp_c: screened.tempC,
          raw_c: input.raw_c,
          ambient_c: input.ambient_c,
          status: screened.status,
          pass_id: null,
          msg_id: input.msg_id,
        }),
    });
  }

  /** Queues a pass scan of a known reader for the next commit. */
  submitScan(input: ScanInput, committed: Committed): void {
    const device = this.ctx.devices.device(input.device_id);
    if (!device) {
      committed(new Error(`unknown device '${input.device_id}'`));
      return;
    }
    const { store } = this.ctx;
    this.enqueue({
      deviceId: device.id,
      committed,
      write: () => store.scans.insert({ ...input, checkpoint_id: device.checkpoint }),
    });
  }

  /** Queues a decided passage for the next commit. */
  submitPassage(passage: NewPassage): void {
    const { store } = this.ctx;
    this.enqueue({
      deviceId: "",
      committed: undefined,
      write: () => store.passages.insert(passage),
    });
  }

  /** Queues the opening of an alert for the next commit. */
  submitAlert(alert: NewAlert): void {
    const { store } = this.ctx;
    this.enqueue({ deviceId: "", committed: undefined, write: () => store.alerts.open(alert) });
  }

  /**
   * Commits one write now, in order after everything already queued, and publishes its event;
   * for changes a person makes (a guard acknowledging an alert) that answer a request.
   */
  commitNow(write: () => StoredEvent): StoredEvent {
    this.flush();
    const event = this.ctx.store.writeBatch(() => {
      const stored = write();
      this.ctx.alsoInTransaction?.(stored);
      return stored;
    });
    this.ctx.bus.emit("stored", event);
    return event;
  }

  /** Records a device going online or offline, if that is a change. */
  setDeviceOnline(
    deviceId: string,
    online: boolean,
    reason: string | null,
    tsMs = Date.now(),
  ): void {
    const device = this.ctx.devices.device(deviceId);
    if (!device || !this.ctx.devices.setOnline(deviceId, online)) return;
    const { store } = this.ctx;
    this.enqueue({
      deviceId,
      committed: undefined,
      write: () =>
        store.deviceStatus.insert({
          device_id: deviceId,
          checkpoint_id: device.checkpoint,
          online,
          reason,
          ts_ms: tsMs,
        }),
    });
  }

  /** Commits whatever is queued now (also called on stop). */
  flush(): void {
    this.flushScheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.commit(batch);
    }
  }

  private enqueue(write: PendingWrite): void {
    this.pending.push(write);
    if (this.pending.length >= this.maxBatch) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      const wait = this.lastCommitMs + this.commitDelayMs - performance.now();
      if (wait > 0) setTimeout(() => this.flush(), wait);
      else setImmediate(() => this.flush());
    }
  }

  private commit(batch: PendingWrite[]): void {
    const { store, bus, metrics, log } = this.ctx;
    this.lastCommitMs = performance.now();
    let events: (StoredEvent | null)[];
    try {
      events = store.writeBatch(() =>
        batch.map((item) => {
          const event = item.write();
          if (event) this.ctx.alsoInTransaction?.(event);
          return event;
        }),
      );
    } catch (error) {
      // Nothing of the batch is stored, so nothing is acknowledged: MQTT devices redeliver.
      metrics.storeErrors.inc();
      log.error(
        { err: error, batch: batch.length },
        "store: batch not committed, messages not acknowledged",
      );
      for (const item of batch) item.committed?.(error as Error);
      return;
    }
    metrics.batchSize.observe(batch.length);
    const now = Date.now();
    batch.forEach((item, i) => {
      const event = events[i];
      this.ctx.devices.markSeen(item.deviceId, now);
      if (event === null) {
        metrics.duplicates.inc({ device: item.deviceId });
      } else if (event !== undefined) {
        if (event.type === "reading") countReading(metrics, event);
        bus.emit("stored", event);
      }
      item.committed?.(null);
    });
  }
}

function countReading(metrics: Metrics, event: StoredEvent): void {
  const data = event.message.data as { status: string; checkpoint_id: string };
  metrics.readings.inc({ checkpoint: data.checkpoint_id, status: data.status });
  if (data.status === "fever") metrics.fevers.inc({ checkpoint: data.checkpoint_id });
}
