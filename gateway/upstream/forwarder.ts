import { readFileSync } from "node:fs";
import mqtt, { type MqttClient } from "mqtt";
import type { GatewayConfig } from "../config/schema.js";
import { type Backoff, backoffDelay } from "../devices/serial-link.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { OutboxRow } from "../store/outbox.js";
import type { Store } from "../store/store.js";
import { PRIORITY, upstreamTopic } from "./routes.js";

type UpstreamConfig = NonNullable<GatewayConfig["upstream"]>;

export interface ForwarderContext {
  config: UpstreamConfig;
  gatewayId: string;
  siteId: string;
  store: Store;
  bus: EventBus;
  metrics: Metrics;
  log: Logger;
  backoff?: Backoff;
  /** Opens an `upstream_backlog` alert (once each time the outbox crosses 80% of max_queue). */
  raiseAlert?: () => void;
}

export interface UpstreamHealth {
  enabled: true;
  connected: boolean;
  queue_depth: number;
  oldest_age_s: number | null;
  last_error: string | null;
}

/**
 * Store-and-forward to the district broker (SPEC 6), the only place that connects out with
 * mqtt.js. The SQLite outbox is the queue: rows are read in lane order (routes.ts), published
 * at QoS 1 with a bounded window in flight, and deleted only on their PUBACK. Nothing is held
 * in memory that is not also in the outbox, so a reconnect or a crash rebuilds nothing: the
 * next pump reads the outbox again, and what was in flight is sent again (the district dedupes
 * on the event id).
 */
export class UpstreamForwarder {
  private client: MqttClient | undefined;
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
  private readonly onStored = () => this.pump();

  constructor(private readonly ctx: ForwarderContext) {}

  private get statusTopic(): string {
    return upstreamTopic(
      this.ctx.config.topic_prefix,
      this.ctx.siteId,
      this.ctx.gatewayId,
      "status",
    );
  }

  start(): void {
    this.stopped = false;
    this.ctx.bus.on("stored", this.onStored);
    this.connect();
    // The queue is watched while the link is down too, when nothing else pumps.
    this.watchTimer = setInterval(() => this.watchQueue(), 1000);
    this.watchTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ctx.bus.off("stored", this.onStored);
    clearTimeout(this.retryTimer);
    clearTimeout(this.pumpTimer);
    clearInterval(this.watchTimer);
    this.flushAcked();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => {});
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
    const { config } = this.ctx;
    const client = mqtt.connect(config.url, {
      clientId: `checkpoint-${this.ctx.gatewayId}`,
      username: config.username,
      password: config.password,
      ca: config.ca_file ? readFileSync(config.ca_file) : undefined,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      // The district sees the gateway go offline even when it dies without a word.
      will: {
        topic: this.statusTopic,
        payload: Buffer.from(JSON.stringify({ online: false })),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on("connect", () => {
      this.connected = true;
      this.attempt = 0;
      this.lastError = null;
      this.ctx.log.info(`upstream connected: ${config.url}`);
      client.publish(this.statusTopic, JSON.stringify({ online: true }), { qos: 1, retain: true });
      this.pump();
    });
    client.on("error", (error) => {
      this.lastError = error.message;
    });
    client.on("close", () => {
      if (this.client !== client) return;
      const wasConnected = this.connected;
      this.connected = false;
      // What was in flight is read from the outbox again on the next connection.
      this.inFlight.clear();
      client.removeAllListeners();
      client.on("error", () => {});
      client.end(true);
      this.client = undefined;
      if (this.stopped) return;
      this.ctx.metrics.upstreamReconnects.inc();
      const delay = backoffDelay(
        this.attempt++,
        this.ctx.backoff ?? { initialMs: 500, maxMs: 30_000 },
        Math.random(),
      );
      const reason = this.lastError ?? "connection closed";
      if (wasConnected || this.attempt === 1)
        this.ctx.log.warn(
          { retry_ms: delay },
          `upstream ${config.url} unreachable: ${reason}; events wait in the outbox`,
        );
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Sends what the window and the backlog pace allow; called on connect, on ack, on new events. */
  private pump(): void {
    const client = this.client;
    if (!client || !this.connected || this.stopped) return;
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
      this.send(client, row);
    }
    if (waitingForTokens && !this.pumpTimer) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, 50);
    }
    this.watchQueue();
  }

  private send(client: MqttClient, row: OutboxRow): void {
    this.inFlight.add(row.seq);
    const topic = upstreamTopic(
      this.ctx.config.topic_prefix,
      this.ctx.siteId,
      this.ctx.gatewayId,
      row.kind,
    );
    client.publish(topic, row.payload, { qos: 1 }, (error) => {
      if (this.client !== client) return;
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
        { err: (error as Error).message },
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
    const nearFull = depth >= this.ctx.config.max_queue * 0.8;
    if (nearFull && !this.warnedQueue) {
      this.ctx.log.warn(
        { depth },
        `upstream outbox holds ${depth} events, 80% of upstream.max_queue: the district is far behind (nothing is dropped)`,
      );
      // A guard sees it too: reports to the district are late, someone should check the link.
      this.ctx.raiseAlert?.();
    }
    this.warnedQueue = nearFull;
  }
}
