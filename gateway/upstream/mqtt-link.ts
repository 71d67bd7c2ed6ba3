import { readFileSync } from "node:fs";
import mqtt, { type MqttClient } from "mqtt";
import {
  type UpstreamKind,
  type UpstreamStatus,
  upstreamTopic,
} from "../../common/upstream-routes.js";
import type { OutboxRow } from "../store/outbox.js";
import type { LinkEvents, UpstreamLink } from "./link.js";

export interface MqttLinkConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  ca_file?: string | undefined;
  topic_prefix: string;
}

/**
 * The district's MQTT broker: each row published at QoS 1 under
 * `<topic_prefix>/<site_id>/<gateway_id>/<kind>`, acknowledged by its PUBACK; a retained
 * `status` with a last will, so the district sees the gateway go offline even when it dies
 * without a word.
 */
export class MqttLink implements UpstreamLink {
  private client: MqttClient | undefined;
  /** The open connection's number and how many statuses it has sent (see UpstreamStatus). */
  private connection = 0;
  private statuses = 0;

  /** `nextConnection`: a number above every earlier connection's (store/upstream-connections.ts). */
  constructor(
    private readonly config: MqttLinkConfig,
    private readonly gatewayId: string,
    private readonly siteId: string,
    private readonly nextConnection: () => number,
  ) {}

  get target(): string {
    return this.config.url;
  }

  private topic(kind: UpstreamKind | "status"): string {
    return upstreamTopic(this.config.topic_prefix, this.siteId, this.gatewayId, kind);
  }

  open(events: LinkEvents): void {
    const { config } = this;
    const statusTopic = this.topic("status");
    let lastError: string | null = null;
    const connection = this.nextConnection();
    this.connection = connection;
    this.statuses = 0;
    const client = mqtt.connect(config.url, {
      clientId: `checkpoint-${this.gatewayId}`,
      username: config.username,
      password: config.password,
      ca: config.ca_file ? readFileSync(config.ca_file) : undefined,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      will: {
        topic: statusTopic,
        // Without `n`: it ranks after every status of its connection.
        payload: Buffer.from(
          JSON.stringify({ online: false, connection } satisfies UpstreamStatus),
        ),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on("connect", () => {
      this.publishStatus(client, {});
      events.up();
    });
    client.on("error", (error) => {
      lastError = error.message;
      events.error(error.message);
    });
    client.on("close", () => {
      client.removeAllListeners();
      client.on("error", () => {});
      client.end(true);
      if (this.client === client) this.client = undefined;
      events.down(lastError ?? "connection closed");
    });
  }

  send(row: OutboxRow, done: (error: Error | null) => void): void {
    const client = this.client;
    if (!client) {
      done(new Error("not connected"));
      return;
    }
    client.publish(this.topic(row.kind as UpstreamKind), row.payload, { qos: 1 }, (error) =>
      done(error ?? null),
    );
  }

  /** The retained status again, with the outbox's depth and oldest age (the forwarder's). */
  reportQueue(queue: { queue_depth: number; oldest_age_s: number | null }): void {
    if (this.client) this.publishStatus(this.client, queue);
  }

  private publishStatus(
    client: MqttClient,
    queue: { queue_depth?: number; oldest_age_s?: number | null },
  ): void {
    const status: UpstreamStatus = {
      online: true,
      ...queue,
      connection: this.connection,
      n: this.statuses++,
    };
    client.publish(this.topic("status"), JSON.stringify(status), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => {});
  }
}
