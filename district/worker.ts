import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { type Logger, messageOf } from "../common/log.js";
import type { DistrictConfig } from "./config.js";
import { type DistrictRow, districtRow } from "./rows.js";
import type { DistrictStore } from "./store/store.js";

interface Waiting {
  row: DistrictRow;
  acknowledge: () => void;
}

export interface WorkerHealth {
  connections: number;
  connected: number;
  database_ok: boolean;
  last_error: string | null;
  stored: number;
  dropped: number;
}

/** Where a retiring worker's sessions send themselves their markers (see `retire`). */
export const RETIRE_TOPIC_ROOT = "checkpoint-district/retire";

/**
 * A district worker (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): `connections` MQTT sessions on the shared subscription
 * `$share/<group>/<prefix>/#`, QoS 1, each a persistent session named after the worker, so a
 * worker started again is given what it had not acknowledged. mqtt.js hands each connection one
 * QoS 1 message at a time and sends its PUBACK when the handler calls back; the handler calls
 * back only after the message's batch is committed. So each connection holds one message, and
 * the connections together fill a batch: `connections` messages share each commit. While
 * PostgreSQL cannot take a batch, nothing is acknowledged (the broker keeps the messages) and the
 * batch is tried again with backoff; health says why.
 */
export class DistrictWorker {
  private readonly clients: MqttClient[] = [];
  private pending: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private committing = false;
  private retryMs = 100;
  private stopped = false;
  readonly health: WorkerHealth;

  constructor(
    private readonly config: DistrictConfig,
    private readonly store: DistrictStore,
    private readonly log: Logger,
  ) {
    this.health = {
      connections: config.broker.connections,
      connected: 0,
      database_ok: true,
      last_error: null,
      stored: 0,
      dropped: 0,
    };
  }

  start(): void {
    const { broker } = this.config;
    const share = `$share/${broker.group}/${broker.topic_prefix}/#`;
    for (let i = 0; i < broker.connections; i++) {
      const client = mqtt.connect(broker.url, {
        clientId: `district-${this.config.worker_id}-${i}`,
        username: broker.username,
        password: broker.password,
        clean: false,
        reconnectPeriod: 1000,
        keepalive: 30,
      });
      client.handleMessage = (packet, callback) => this.onMessage(packet, () => callback());
      client.on("connect", () => {
        this.health.connected += 1;
        client.subscribe(share, { qos: 1 }, (error) => {
          if (error) this.log.error({ err: error.message }, `the district broker refused ${share}`);
        });
      });
      client.on("close", () => {
        this.health.connected = Math.max(0, this.health.connected - 1);
      });
      client.on("error", (error) =>
        this.log.warn({ err: error.message }, `district broker: ${error.message}`),
      );
      this.clients.push(client);
    }
    this.log.info(
      { connections: broker.connections, share },
      `district worker ${this.config.worker_id} reading ${share}`,
    );
  }

  /** A batch PostgreSQL refused for its contents, a row per transaction (see `flush`). */
  private async oneByOne(batch: Waiting[]): Promise<void> {
    this.committing = true;
    for (const [i, waiting] of batch.entries()) {
      try {
        await this.store.commit([waiting.row]);
        this.health.stored += 1;
      } catch (error) {
        if (!isDataError(error)) {
          // The database itself went away meanwhile: the rest waits for it, first in line.
          this.pending = [...batch.slice(i), ...this.pending];
          this.committing = false;
          this.timer = setTimeout(() => this.flush(), this.retryMs);
          return;
        }
        this.health.dropped += 1;
        this.log.warn(
          { err: messageOf(error), id: "id" in waiting.row ? waiting.row.id : null },
          `the district database refused one event (${messageOf(error)}); dropped`,
        );
      }
      waiting.acknowledge();
    }
    this.committing = false;
    if (this.pending.length > 0) this.flush();
  }

  /**
   * Retires this worker for good (`npm run district -- --retire`): each of its kept sessions is
   * opened again and unsubscribed from the shared subscription, so the broker gives it nothing
   * more; what the broker had queued for it is taken in as usual (stored, then acknowledged).
   * A marker the session sends to itself after unsubscribing arrives behind everything queued
   * before it (a session's messages come in order), so when every marker is back, nothing is
   * left: the sessions are then ended for good (a clean session replaces each). Resolves with
   * how many messages were taken in.
   */
  async retire(): Promise<number> {
    const { broker, worker_id } = this.config;
    const share = `$share/${broker.group}/${broker.topic_prefix}/#`;
    const options = (i: number, clean: boolean) => ({
      clientId: `district-${worker_id}-${i}`,
      username: broker.username,
      password: broker.password,
      clean,
      reconnectPeriod: 1000,
      keepalive: 30,
    });
    const storedBefore = this.health.stored + this.health.dropped;
    await Promise.all(
      Array.from({ length: broker.connections }, async (_, i) => {
        const marker = `${RETIRE_TOPIC_ROOT}/${worker_id}/${i}`;
        const client = mqtt.connect(broker.url, options(i, false));
        this.clients.push(client);
        const done = new Promise<void>((resolve) => {
          client.handleMessage = (packet, callback) => {
            if (packet.topic !== marker) return this.onMessage(packet, () => callback());
            callback();
            resolve();
          };
        });
        await new Promise<void>((resolve, reject) => {
          client.once("connect", () => resolve());
          client.once("error", reject);
        });
        await client.unsubscribeAsync(share);
        await client.subscribeAsync(marker, { qos: 1 });
        await client.publishAsync(marker, "retire", { qos: 1 });
        await done;
      }),
    );
    // Every marker is back, so everything before it has been handed over: wait for its commit.
    while (this.pending.length > 0 || this.committing) {
      this.flush();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(this.clients.splice(0).map((client) => client.endAsync()));
    for (let i = 0; i < broker.connections; i++) {
      const client = await mqtt.connectAsync(broker.url, options(i, true));
      await client.endAsync();
    }
    return this.health.stored + this.health.dropped - storedBefore;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.clients.map((client) => client.endAsync(true)));
  }

  private onMessage(packet: IPublishPacket, acknowledge: () => void): void {
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const row = districtRow(this.config.broker.topic_prefix, packet.topic, payload);
    if ("problem" in row) {
      // Acknowledged and dropped: the broker would otherwise deliver it again forever.
      this.health.dropped += 1;
      this.log.warn({ topic: packet.topic }, `${row.problem}; dropped`);
      acknowledge();
      return;
    }
    this.pending.push({ row, acknowledge });
    if (this.pending.length >= this.config.batch.max_rows) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.config.batch.max_wait_ms);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.committing || this.pending.length === 0 || this.stopped) return;
    const batch = this.pending.splice(0, this.config.batch.max_rows);
    this.committing = true;
    this.store.commit(batch.map((w) => w.row)).then(
      () => {
        this.committing = false;
        this.retryMs = 100;
        if (!this.health.database_ok) this.log.info("the district database takes writes again");
        this.health.database_ok = true;
        this.health.last_error = null;
        this.health.stored += batch.length;
        for (const waiting of batch) waiting.acknowledge();
        if (this.pending.length > 0) this.flush();
      },
      (error: Error) => {
        this.committing = false;
        // PostgreSQL refused what is in the batch, not the batch: each row goes in alone, and
        // only a row refused alone is dropped. Retried whole, the batch would stop this worker.
        if (isDataError(error)) {
          void this.oneByOne(batch);
          return;
        }
        // Nothing acknowledged: the batch goes back first in line and is tried again.
        this.pending = [...batch, ...this.pending];
        if (this.health.database_ok)
          this.log.error(
            { err: error.message },
            `the district database did not take a batch (${error.message}); nothing is acknowledged until it does`,
          );
        this.health.database_ok = false;
        this.health.last_error = error.message;
        this.timer = setTimeout(() => this.flush(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
      },
    );
  }
}

/**
 * PostgreSQL refused the data (SQLSTATE class 22, data exception, or 23, integrity), not the
 * connection or the server: the same rows would be refused again however often they are sent.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^(22|23)/.test(code);
}
