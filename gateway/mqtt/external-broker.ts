import { readFileSync } from "node:fs";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "../../common/log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import { DEVICE_TOPIC_ROOT, parseDeviceTopic } from "./contract.js";
import { type BrokerIntegration, BrokerIntegrations, type DeviceBroker } from "./device-broker.js";
import type { DeviceMessageHandler } from "./device-messages.js";

export interface ExternalBrokerConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  ca_file?: string | undefined;
}

export interface ExternalBrokerContext {
  config: ExternalBrokerConfig;
  gatewayId: string;
  devices: DeviceRegistry;
  handler: DeviceMessageHandler;
  metrics: Metrics;
  log: Logger;
  /** How long to wait before reconnecting (default 1 s). */
  reconnectMs?: number;
  /** Sessions reading the devices (config `mqtt.connections`), on one shared subscription. */
  connections?: number;
  /** The most sessions ever opened, kept in the store (see store/broker-sessions.ts). */
  sessions?: { mostOpened(): number; remember(sessions: number): void };
}

/** What the gateway reads from devices on an external broker (not `command`: it sends those). */
const DEVICE_SUBSCRIPTIONS = ["temperature", "scan", "status"].map(
  (kind) => `${DEVICE_TOPIC_ROOT}/+/${kind}`,
);

/**
 * Devices on an external broker (docs/contract.md#devices-over-mqtt `mqtt.mode: external`: Mosquitto, EMQX). The broker
 * checks each device's password and topics (docs/mosquitto/devices.acl); the gateway subscribes
 * to every device's topics with a persistent session (clean: false) at QoS 1 and acknowledges
 * each message only once it is committed, so a message the broker holds for the gateway
 * survives a gateway crash: the broker sends it again when the gateway is back. mqtt.js hands
 * a session its QoS 1 messages one at a time, so one session is bounded by commit latency;
 * `mqtt.connections` sessions on a shared subscription fill each group commit together.
 */
export class ExternalBroker implements DeviceBroker {
  /** More topics to read (Home Assistant's birth message), handed to their hook first. */
  private readonly integrations = new BrokerIntegrations();
  private clients: MqttClient[] = [];
  private connectedCount = 0;

  constructor(private readonly ctx: ExternalBrokerContext) {}

  /** The port in the broker's URL (for health). */
  get port(): number {
    const url = new URL(this.ctx.config.url);
    return Number(url.port) || (url.protocol === "mqtts:" ? 8883 : 1883);
  }

  addIntegration(integration: BrokerIntegration): void {
    this.integrations.add(integration);
  }

  /** The gateway's own connections, when up: devices' connections are the broker's to count. */
  get connectedClients(): number {
    return this.connectedCount;
  }

  get isConnected(): boolean {
    return this.connectedCount > 0;
  }

  /** Subscribers are the external broker's to know: the gateway's events go out while connected. */
  get hasIntegrations(): boolean {
    return this.isConnected;
  }

  /**
   * Opens `connections` sessions (config `mqtt.connections`) on one shared subscription
   * (`$share/checkpoint-<gateway_id>/...`). mqtt.js holds each session's next QoS 1 message until
   * the handler calls back, which is after the commit: one session takes one message per commit,
   * so the broker splits the stream between the sessions and their messages share each group
   * commit. Sessions opened before but no longer wanted (the setting was lowered) are opened
   * again to take in what the broker queued for them, and unsubscribed so it queues no more.
   * Resolves at the first connection, or at once if the broker is down (it retries).
   */
  start(): Promise<void> {
    const { gatewayId, sessions } = this.ctx;
    const count = this.ctx.connections ?? 1;
    const plain = [...DEVICE_SUBSCRIPTIONS, ...this.integrations.subscribe];
    const shared = plain.map((topic) => `$share/checkpoint-${gatewayId}/${topic}`);
    const opened = Math.max(count, sessions?.mostOpened() ?? 0);
    sessions?.remember(opened);
    if (opened > count)
      this.ctx.log.info(
        { connections: count, before: opened },
        `opening ${opened - count} session(s) of a higher mqtt.connections once more, for what the broker queued for them`,
      );
    const started = Array.from({ length: opened }, (_, i) =>
      this.open(
        // Fixed, and distinct from the upstream forwarder's: the broker keeps these sessions.
        // The first keeps the name of the single session of earlier versions.
        i === 0 ? `checkpoint-${gatewayId}-devices` : `checkpoint-${gatewayId}-devices-${i}`,
        i < count
          ? // The first may still hold the plain subscriptions of a single session: with both,
            // it would be sent every message once more beside its share.
            { subscribe: shared, unsubscribe: i === 0 ? plain : [] }
          : { subscribe: [], unsubscribe: shared },
      ),
    );
    return Promise.race(started);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.endAsync()));
    this.clients = [];
  }

  private open(
    clientId: string,
    topics: { subscribe: string[]; unsubscribe: string[] },
  ): Promise<void> {
    const { config, log } = this.ctx;
    const client = mqtt.connect(config.url, {
      clientId,
      username: config.username,
      password: config.password,
      ca: config.ca_file ? readFileSync(config.ca_file) : undefined,
      clean: false,
      reconnectPeriod: this.ctx.reconnectMs ?? 1000,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    // mqtt.js sends a QoS 1 message's PUBACK only when handleMessage calls back: called after
    // the commit, the broker holds the message until it is on disk here.
    client.handleMessage = (packet, callback) => this.onMessage(client, packet, callback);
    this.clients.push(client);
    let connected = false;
    client.on("connect", (connack) => {
      connected = true;
      this.connectedCount += 1;
      if (this.connectedCount === 1)
        log.info(
          { session_present: connack.sessionPresent },
          `connected to the devices' broker ${config.url}`,
        );
      if (topics.unsubscribe.length > 0)
        client.unsubscribe(topics.unsubscribe, (error) => {
          if (error)
            log.warn({ err: error.message }, `unsubscribing ${clientId}: ${error.message}`);
        });
      // Subscribing again is harmless; with a kept session the broker already has these.
      if (topics.subscribe.length > 0)
        client.subscribe(topics.subscribe, { qos: 1 }, (error, granted) => {
          const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
          if (error || refused.length > 0)
            log.error(
              { err: error?.message, refused },
              `the devices' broker refused the gateway's subscriptions: check its ACL (docs/mosquitto/devices.acl)`,
            );
        });
    });
    client.on("close", () => {
      if (!connected) return;
      connected = false;
      this.connectedCount -= 1;
      if (this.connectedCount === 0)
        log.warn(
          `lost the devices' broker ${config.url}; reconnecting (devices keep publishing to it)`,
        );
    });
    client.on("error", (error) => {
      log.warn({ err: error.message }, `devices' broker ${config.url}: ${error.message}`);
    });
    return new Promise((resolve) => {
      client.once("connect", () => resolve());
      // A broker that is down at start is retried; the gateway starts anyway (the store,
      // serial devices and pages work without it).
      client.once("error", () => resolve());
      client.once("offline", () => resolve());
    });
  }

  /**
   * A live event for local integrations at QoS 0, dropped while no session is up: not retained,
   * so nobody could read it later, and nothing piles up in memory through a broker outage (the
   * district's copy goes through the durable outbox).
   */
  publishLive(topic: string, payload: string): void {
    this.clients.find((c) => c.connected)?.publish(topic, payload, { qos: 0 });
  }

  /** Publishes from the gateway itself (QoS 1): door commands, Home Assistant; retained if asked. */
  publish(topic: string, payload: string, retain = false): Promise<void> {
    const client = this.clients.find((c) => c.connected) ?? this.clients[0];
    if (!client) return Promise.reject(new Error("devices' broker not started"));
    return client.publishAsync(topic, payload, { qos: 1, retain }).then(() => {});
  }

  private onMessage(client: MqttClient, packet: IPublishPacket, acknowledge: () => void): void {
    const { topic } = packet;
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    if (this.integrations.heard(topic, payload.toString())) {
      acknowledge();
      return;
    }
    const parsed = parseDeviceTopic(topic);
    if (parsed === null || !this.ctx.devices.device(parsed.deviceId)) {
      // Acknowledged and dropped: the broker would otherwise send it again forever.
      this.ctx.metrics.refusedClients.inc({ reason: "unknown_device" });
      this.ctx.log.warn({ topic }, `message on ${topic} dropped: not a configured device's topic`);
      acknowledge();
      return;
    }
    this.ctx.handler.handle(parsed.deviceId, parsed.kind, payload, (error) => {
      if (!error) {
        acknowledge();
        return;
      }
      // Not stored: no PUBACK. Dropping the connection makes the broker send it again once the
      // gateway reconnects with its kept session.
      this.ctx.log.error(
        { err: error.message, topic },
        "a device message could not be stored; reconnecting so the broker sends it again",
      );
      client.stream.destroy();
    });
  }
}
