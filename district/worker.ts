import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { type Logger, messageOf } from "../common/log.js";
import type { DistrictConfig } from "./config.js";
import { type DistrictRow, districtRow, type RowLimits, refusedRow } from "./rows.js";
import type { CommitResult, DistrictStore } from "./store/store.js";
import { isUnreachable } from "./store/unreachable.js";

interface Waiting {
  row: DistrictRow;
  acknowledge: () => void;
  /** The message as it came, for its dead letter if PostgreSQL refuses it. */
  topic: string;
  payload: Buffer;
}

export interface WorkerHealth {
  connections: number;
  connected: number;
  database_ok: boolean;
  last_error: string | null;
  stored: number;
  /**
   * Events refused (too large, out of the time window, naming another gateway's identity, of a
   * gateway registered to another site or disabled, refused by PostgreSQL) and kept as dead letters.
   */
  dead_letters: number;
  /** Events of gateways the registry does not know, kept apart until an admin assigns them. */
  quarantined: number;
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
  private readonly limits: RowLimits;
  private stopped = false;
  readonly health: WorkerHealth;

  constructor(
    private readonly config: DistrictConfig,
    private readonly store: DistrictStore,
    private readonly log: Logger,
  ) {
    const { limits } = config;
    this.limits = {
      payloadBytes: limits.payload_max_kb * 1024,
      textChars: limits.text_max_chars,
      pastMs: limits.past_days * 86_400_000,
      futureMs: limits.future_days * 86_400_000,
    };
    this.health = {
      connections: config.broker.connections,
      connected: 0,
      database_ok: true,
      last_error: null,
      stored: 0,
      dead_letters: 0,
      quarantined: 0,
    };
  }

  start(): void {
    const { broker } = this.config;
    const share = `$share/${broker.share_group}/${broker.topic_prefix}/#`;
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

  /**
   * A batch that failed for what is in it, a row per transaction (see `flush`): a row refused
   * alone is written as its dead letter instead, with PostgreSQL's (or the worker's) reason.
   */
  private async oneByOne(batch: Waiting[]): Promise<void> {
    this.committing = true;
    for (const [i, waiting] of batch.entries()) {
      try {
        await this.commitAlone(waiting);
      } catch (error) {
        // The database itself went away meanwhile: the rest waits for it, first in line.
        this.pending = [...batch.slice(i), ...this.pending];
        this.committing = false;
        this.health.database_ok = false;
        this.health.last_error = messageOf(error);
        this.timer = setTimeout(() => this.flush(), this.retryMs);
        return;
      }
      waiting.acknowledge();
    }
    this.committing = false;
    if (this.pending.length > 0) this.flush();
  }

  /** One row in its own transaction, or its dead letter; throws only if the database is out of reach. */
  private async commitAlone(waiting: Waiting): Promise<void> {
    try {
      this.count(await this.store.commit([waiting.row]));
      return;
    } catch (error) {
      if (isUnreachable(error) || waiting.row.kind === "refused") throw error;
      const reason = `the district database refused it: ${messageOf(error)}`;
      this.log.warn(
        { err: messageOf(error), id: "id" in waiting.row ? waiting.row.id : null },
        `${reason}; kept as a dead letter`,
      );
      waiting.row = refusedRow(
        this.config.broker.topic_prefix,
        waiting.topic,
        waiting.payload,
        reason,
      );
    }
    this.count(await this.store.commit([waiting.row]));
  }

  /** Counts what a commit did, and says what the registry refused, naming the gateway. */
  private count(result: CommitResult): void {
    this.health.stored += result.stored;
    this.health.dead_letters += result.deadLetters;
    this.health.quarantined += result.quarantined;
    for (const { gatewayId, reason } of result.refusedByRegistry)
      this.log.warn({ gateway: gatewayId }, `${reason}; refused, kept as a dead letter`);
    if (result.quarantineDropped > 0)
      this.log.warn(
        { dropped: result.quarantineDropped },
        `the quarantine is full (limits.quarantine_kept): its ${result.quarantineDropped} oldest event(s) deleted`,
      );
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
    const share = `$share/${broker.share_group}/${broker.topic_prefix}/#`;
    const options = (i: number, clean: boolean) => ({
      clientId: `district-${worker_id}-${i}`,
      username: broker.username,
      password: broker.password,
      clean,
      reconnectPeriod: 1000,
      keepalive: 30,
    });
    const taken = () => this.health.stored + this.health.dead_letters + this.health.quarantined;
    const storedBefore = taken();
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
    return taken() - storedBefore;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.clients.map((client) => client.endAsync(true)));
  }

  private onMessage(packet: IPublishPacket, acknowledge: () => void): void {
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const prefix = this.config.broker.topic_prefix;
    const parsed = districtRow(prefix, packet.topic, payload, this.limits, Date.now());
    // Refused: kept in the dead-letter table with the batch, then acknowledged (the broker would
    // otherwise deliver it again forever).
    const row =
      "problem" in parsed ? refusedRow(prefix, packet.topic, payload, parsed.problem) : parsed;
    if (row.kind === "refused")
      this.log.warn({ topic: packet.topic }, `${row.reason}; refused, kept as a dead letter`);
    this.pending.push({ row, acknowledge, payload, topic: packet.topic });
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
      (result) => {
        this.committing = false;
        this.retryMs = 100;
        if (!this.health.database_ok) this.log.info("the district database takes writes again");
        this.health.database_ok = true;
        this.health.last_error = null;
        this.count(result);
        for (const waiting of batch) waiting.acknowledge();
        if (this.pending.length > 0) this.flush();
      },
      (error: Error) => {
        this.committing = false;
        // Anything but the database being out of reach is about what is in the batch: each row
        // goes in alone, and only a row refused alone becomes a dead letter. Retried whole, the
        // batch would stop this worker for good.
        if (!isUnreachable(error)) {
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
