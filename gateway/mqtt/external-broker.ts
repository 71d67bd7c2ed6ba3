import { readFileSync } from "node:fs";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import { DEVICE_TOPIC_ROOT, parseDeviceTopic } from "./contract.js";
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
  /** More topics to read (Home Assistant's birth message), handed to `heard` first. */
  alsoSubscribe?: string[];
  heard?: (topic: string, payload: string) => boolean;
}

/** What the gateway reads from devices on an external broker (not `command`: it sends those). */
const DEVICE_SUBSCRIPTIONS = ["temperature", "scan", "status"].map(
  (kind) => `${DEVICE_TOPIC_ROOT}/+/${kind}`,
);

/**
 * Devices on an external broker (SPEC 4 `mqtt.mode: external`: Mosquitto, EMQX). The broker
 * checks each device's password and topics (docs/mosquitto/devices.acl); the gateway subscribes
 * to every device's topics with a persistent session (clean: false) at QoS 1 and acknowledges
 * each message only once it is committed, so a message the broker holds for the gateway
 * survives a gateway crash: the broker sends it again when the gateway is back. mqtt.js hands
 * QoS 1 messages over one at a time, so throughput is bounded by commit latency (see README).
 */
export class ExternalBroker {
  private client: MqttClient | undefined;
  private connected = false;

  constructor(private readonly ctx: ExternalBrokerContext) {}

  /** The port in the broker's URL (for health). */
  get port(): number {
    const url = new URL(this.ctx.config.url);
    return Number(url.port) || (url.protocol === "mqtts:" ? 8883 : 1883);
  }

  /** The gateway's own connection, when up: devices' connections are the broker's to count. */
  get connectedClients(): number {
    return this.connected ? 1 : 0;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Subscribers are the external broker's to know: the gateway's events are always sent. */
  get hasIntegrations(): boolean {
    return true;
  }

  /** Resolves at the first connection, or on start even if the broker is down (it retries). */
  start(): Promise<void> {
    const { config, log } = this.ctx;
    const client = mqtt.connect(config.url, {
      // Fixed, and distinct from the upstream forwarder's: the broker keeps this session.
      clientId: `checkpoint-${this.ctx.gatewayId}-devices`,
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
    client.handleMessage = (packet, callback) => this.onMessage(packet, callback);
    this.client = client;
    client.on("connect", (connack) => {
      this.connected = true;
      log.info(
        { session_present: connack.sessionPresent },
        `connected to the devices' broker ${config.url}`,
      );
      // Subscribing again is harmless; with a kept session the broker already has these.
      client.subscribe(
        [...DEVICE_SUBSCRIPTIONS, ...(this.ctx.alsoSubscribe ?? [])],
        { qos: 1 },
        (error, granted) => {
          const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
          if (error || refused.length > 0)
            log.error(
              { err: error?.message, refused },
              `the devices' broker refused the gateway's subscriptions: check its ACL (docs/mosquitto/devices.acl)`,
            );
        },
      );
    });
    client.on("close", () => {
      if (this.connected)
        log.warn(
          `lost the devices' broker ${config.url}; reconnecting (devices keep publishing to it)`,
        );
      this.connected = false;
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

  async stop(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
    this.connected = false;
  }

  /** Publishes from the gateway itself (QoS 1): door commands, its events; retained if asked. */
  publish(topic: string, payload: string, retain = false): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error("devices' broker not started"));
    return client.publishAsync(topic, payload, { qos: 1, retain }).then(() => {});
  }

  private onMessage(packet: IPublishPacket, acknowledge: () => void): void {
    const { topic } = packet;
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    if (this.ctx.heard?.(topic, payload.toString())) {
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
      this.client?.stream.destroy();
    });
  }
}
