import { type Logger, messageOf } from "../../common/log.js";
import { PRIORITY } from "../../common/upstream-routes.js";
import type { GatewayConfig } from "../config/schema.js";
import { type Backoff, backoffDelay } from "../devices/serial-link.js";
import type { AlertDraft } from "../domain/alert-rules.js";
import type { EventBus } from "../events.js";
import { ALL_EVENTS } from "../events.js";
import type { Metrics } from "../metrics.js";
import type { OutboxRow } from "../store/outbox.js";
import type { Store } from "../store/store.js";
import type { UpstreamLink } from "./link.js";
import { MqttLink } from "./mqtt-link.js";
import { WebhookLink } from "./webhook-link.js";

type UpstreamConfig = NonNullable<GatewayConfig["upstream"]>;

export interface ForwarderContext {
  config: UpstreamConfig;
  /** The way out: MqttLink or WebhookLink (see upstreamLink in gateway.ts). */
  link: UpstreamLink;
  store: Store;
  bus: EventBus;
  metrics: Metrics;
  log: Logger;
  backoff?: Backoff;
  /** Opens an alert through the write path (the backlog alert, see `watchQueue`). */
  raiseAlert?: (alert: AlertDraft) => void;
}

/** The link `upstream.url` names: http(s):// is a webhook, mqtt(s):// a broker. */
export function upstreamLink(
  config: UpstreamConfig,
  gatewayId: string,
  siteId: string,
  nextConnection: () => number,
): UpstreamLink {
  return /^https?:/.test(config.url)
    ? new WebhookLink(config, gatewayId, siteId)
    : new MqttLink(config, gatewayId, siteId, nextConnection);
}

export interface UpstreamHealth {
  enabled: true;
  connected: boolean;
  queue_depth: number;
  oldest_age_s: number | null;
  last_error: string | null;
}

/**
 * Store-and-forward to the district (docs/contract.md#upstream-the-district). The SQLite outbox is the queue: rows are read in
 * lane order (routes.ts), sent through the link (an MQTT broker at QoS 1, or an HTTPS webhook)
 * with a bounded window in flight, and deleted only once acknowledged. Nothing is held in
 * memory that is not also in the outbox, so a reconnect or a crash rebuilds nothing: the next
 * pump reads the outbox again, and what was in flight is sent again (the district dedupes on
 * the event id).
 */
export class UpstreamForwarder {
  /** Bumped at each opening of the link: acknowledgements from an older one are ignored. */
  private generation = 0;
  private connected = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<number>();
  private acked: number[] = [];
  private deleteScheduled = false;
  private lastError: string | null = null;
  /** Backlog pacing: tokens refill at `backlog_rate_per_s`. */
  private tokens = 0;
  private tokensAtMs = Date.now();
  private warnedQueue = false;
  private pumpQueued = false;
  /** The outbox depth last told to the district, and when. */
  private lastReported = "";
  private lastReportedAtMs = 0;

  constructor(private readonly ctx: ForwarderContext) {}

  start(): void {
    this.stopped = false;
    // Every committed event may have queued a row: send what the window allows.
    this.ctx.bus.subscribe(ALL_EVENTS, "upstream", () => this.pumpSoon());
    this.connect();
    // The queue is watched while the link is down too, when nothing else pumps.
    this.watchTimer = setInterval(() => this.watchQueue(), 1000);
    this.watchTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ctx.bus.removeListeners("upstream");
    clearTimeout(this.retryTimer);
    clearTimeout(this.pumpTimer);
    clearInterval(this.watchTimer);
    this.flushAcked();
    this.generation += 1;
    await this.ctx.link.close();
  }

  health(): UpstreamHealth {
    const oldest = this.ctx.store.outbox.oldestMs();
    return {
      enabled: true,
      connected: this.connected,
      queue_depth: this.ctx.store.outbox.depth(),
      oldest_age_s: oldest === null ? null : Math.round((Date.now() - oldest) / 1000),
      last_error: this.lastError,
    };
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    const { link, log } = this.ctx;
    link.open({
      up: () => {
        if (generation !== this.generation) return;
        this.connected = true;
        this.attempt = 0;
        this.lastError = null;
        // A new connection's status said only `online`: the next tick tells the backlog.
        this.lastReported = "";
        log.info(`upstream connected: ${link.target}`);
        this.pump();
      },
      error: (message) => {
        if (generation === this.generation) this.lastError = message;
      },
      down: (reason) => {
        if (generation !== this.generation) return;
        this.generation += 1;
        const wasConnected = this.connected;
        this.connected = false;
        this.lastError = reason;
        // What was in flight is read from the outbox again on the next connection.
        this.inFlight.clear();
        if (this.stopped) return;
        this.ctx.metrics.upstreamReconnects.inc();
        const delay = backoffDelay(
          this.attempt++,
          this.ctx.backoff ?? { initialMs: 500, maxMs: 30_000 },
          Math.random(),
        );
        if (wasConnected || this.attempt === 1)
          log.warn(
            { retry_ms: delay },
            `upstream ${link.target} unreachable: ${reason}; events wait in the outbox`,
          );
        this.retryTimer = setTimeout(() => this.connect(), delay);
      },
    });
  }

  /** One pump for all the events of a batch, after it is published. */
  private pumpSoon(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Sends what the window and the backlog pace allow; called on connect, on ack, on new events. */
  private pump(): void {
    if (!this.connected || this.stopped) return;
    const room = this.ctx.config.max_in_flight - this.inFlight.size;
    if (room <= 0) return;
    const rows = this.ctx.store.outbox.next(room, this.inFlight);
    this.refillTokens();
    let waitingForTokens = false;
    for (const row of rows) {
      if (row.priority !== PRIORITY.alert) {
        if (this.tokens < 1) {
          waitingForTokens = true;
          continue;
        }
        this.tokens -= 1;
      }
      this.send(row);
    }
    if (waitingForTokens && !this.pumpTimer) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, 50);
    }
  }

  private send(row: OutboxRow): void {
    this.inFlight.add(row.seq);
    const generation = this.generation;
    this.ctx.link.send(row, (error) => {
      if (generation !== this.generation) return;
      this.inFlight.delete(row.seq);
      if (error) {
        this.lastError = error.message;
        return;
      }
      this.ctx.metrics.upstreamForwarded.inc({ kind: row.kind });
      this.acked.push(row.seq);
      if (!this.deleteScheduled) {
        this.deleteScheduled = true;
        setImmediate(() => {
          this.flushAcked();
          this.pump();
        });
      }
    });
  }

  /** Deletes acknowledged rows, many per transaction. */
  private flushAcked(): void {
    this.deleteScheduled = false;
    const seqs = this.acked;
    this.acked = [];
    try {
      this.ctx.store.outbox.delete(seqs);
    } catch (error) {
      // Not deleted means sent again later: a duplicate upstream, never a loss.
      this.ctx.log.error(
        { err: messageOf(error) },
        "upstream: acknowledged rows not deleted; they will be sent again",
      );
    }
  }

  private refillTokens(): void {
    const now = Date.now();
    const rate = this.ctx.config.backlog_rate_per_s;
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAtMs) / 1000) * rate);
    this.tokensAtMs = now;
  }

  private watchQueue(): void {
    const depth = this.ctx.store.outbox.depth();
    this.ctx.metrics.upstreamQueueDepth.set(depth);
    const oldest = this.ctx.store.outbox.oldestMs();
    this.ctx.metrics.upstreamOldestAge.set(oldest === null ? 0 : (Date.now() - oldest) / 1000);
    // The district sees each gateway's backlog in its status: when the outbox empties or fills
    // again, and every 30 s (not at every change: a district hears from hundreds of gateways).
    const reported = depth === 0 ? "empty" : "behind";
    if (
      this.connected &&
      (reported !== this.lastReported || Date.now() - this.lastReportedAtMs >= 30_000)
    ) {
      this.ctx.link.reportQueue?.({
        queue_depth: depth,
        oldest_age_s: oldest === null ? null : Math.round((Date.now() - oldest) / 1000),
      });
      this.lastReported = reported;
      this.lastReportedAtMs = Date.now();
    }
    const nearFull = depth >= this.ctx.config.max_queue * 0.8;
    if (nearFull && !this.warnedQueue) {
      this.ctx.log.warn(
        { depth },
        `upstream outbox holds ${depth} events, 80% of upstream.max_queue: the district is far behind (nothing is dropped)`,
      );
      // A guard sees it too: reports to the district are late, someone should check the link.
      this.ctx.raiseAlert?.({
        kind: "upstream_backlog",
        checkpoint_id: null,
        device_id: null,
        passage_id: null,
        reading_id: null,
        pass_id: null,
        temp_c: null,
        ts_ms: Date.now(),
      });
    }
    this.warnedQueue = nearFull;
  }
}
