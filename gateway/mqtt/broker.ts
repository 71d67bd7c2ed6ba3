import { createServer, type Server, type Socket } from "node:net";
import {
  Aedes,
  type AuthenticateError,
  type Client,
  type PublishPacket,
  type Subscription,
} from "aedes";
import type { Logger } from "../../common/log.js";
import type { AccountLogin } from "../auth/account-login.js";
import { sameSecret } from "../auth/secrets.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Ingest } from "../pipeline/ingest.js";
import { DEVICE_TOPIC_ROOT, gatewayEventTopic, parseDeviceTopic } from "./contract.js";
import { type BrokerIntegration, BrokerIntegrations, type DeviceBroker } from "./device-broker.js";
import type { DeviceMessageHandler } from "./device-messages.js";
import { guardPackets } from "./packet-guard.js";

export interface BrokerContext {
  devices: DeviceRegistry;
  /** Account logins, for local integrations reading the gateway's events (docs/contract.md#devices-over-mqtt). */
  logins: AccountLogin;
  gatewayId: string;
  ingest: Ingest;
  handler: DeviceMessageHandler;
  metrics: Metrics;
  log: Logger;
  host: string;
  port: number;
  /** Packet size limits and connection bounds (config `mqtt.max_*`). */
  limits: {
    beforeLoginBytes: number;
    afterLoginBytes: number;
    perAddress: number;
    unauthenticated: number;
  };
}

/** How long a connection may take to log in (aedes closes it after). */
const LOGIN_TIMEOUT_MS = 10_000;

/** aedes's return code 4: "bad user name or password" (MQTT 3.1.1 §3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * The embedded MQTT broker (docs/contract.md#devices-over-mqtt). The only file that knows aedes. Policy lives in the
 * broker's hooks (aedes' `authenticate`, `authorizePublish`, `authorizeSubscribe`): each device logs in as itself and may publish only under its own
 * topic. A reading is taken in from `authorizePublish`, whose callback aedes waits for before
 * it sends the PUBACK; the callback is called when the reading's batch has committed, so an
 * acknowledged reading is on disk. A local integration logs in with a gateway account (guard
 * or admin) and may only subscribe to the gateway's events, never publish.
 */
export class EmbeddedBroker implements DeviceBroker {
  /** What logged-in integrations may read besides the gateway's events, and publish. */
  private readonly integrationTopics = new BrokerIntegrations();
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  /** Which device each connection logged in as. */
  private readonly deviceOf = new WeakMap<Client, string>();
  /** Open connections per device: a device is online while it has at least one. */
  private readonly connections = new Map<string, number>();
  /** Connections that logged in with an account: integrations reading the gateway's events. */
  private readonly integrations = new WeakSet<Client>();
  private integrationCount = 0;
  /** Open connections per remote address, and those not logged in yet. */
  private readonly perAddress = new Map<string, number>();
  /** Per connection, what its login does to the bounds (see `accept`). */
  private readonly loggedIn = new WeakMap<object, () => void>();
  private unauthenticated = 0;

  constructor(private readonly ctx: BrokerContext) {}

  addIntegration(integration: BrokerIntegration): void {
    this.integrationTopics.add(integration);
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  get connectedClients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** The embedded broker is up while the gateway runs. */
  get isConnected(): boolean {
    return this.aedes !== undefined;
  }

  /** Whether anyone could be listening to the gateway's events (they are not retained). */
  get hasIntegrations(): boolean {
    return this.integrationCount > 0;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      connectTimeout: LOGIN_TIMEOUT_MS,
      preConnect: (_client, packet, done) => {
        this.sayUnsupportedVersion(packet);
        done(null, true);
      },
      authenticate: (client, username, password, done) =>
        this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, subscription, done) =>
        this.authorizeSubscribe(client, subscription, done),
    });
    aedes.on("clientReady", (client) => this.connectionChanged(client, +1));
    aedes.on("clientDisconnect", (client) => this.connectionChanged(client, -1));
    aedes.on("clientError", (client, error) => {
      this.ctx.log.debug({ device: this.deviceOf.get(client), err: error.message }, "client error");
    });
    this.aedes = aedes;
    const server = createServer((socket) => this.accept(socket, aedes));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.ctx.port, this.ctx.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.ctx.log.info(
      { port: this.port },
      `embedded MQTT broker listening on ${this.ctx.host}:${this.port}`,
    );
  }

  /**
   * aedes speaks MQTT 3.1 and 3.1.1; an MQTT 5 device is refused in its CONNACK (0x84 to the
   * device), which says nothing in the gateway's log. Said here, once per attempt, naming the
   * device and what to do, and counted.
   */
  private sayUnsupportedVersion(packet: {
    protocolVersion?: number;
    username?: string;
    clientId?: string;
  }): void {
    const version = packet.protocolVersion ?? 4;
    if (version >= 3 && version <= 4) return;
    const who = packet.username ?? packet.clientId ?? "an anonymous client";
    this.ctx.metrics.refusedClients.inc({ reason: "protocol_version" });
    this.ctx.log.warn(
      { device: who, protocol_version: version },
      `MQTT connection of '${who}' refused: it speaks MQTT ${version === 5 ? "5" : `protocol level ${version}`}, the embedded broker speaks 3.1 and 3.1.1; set the device to MQTT 3.1.1, or run the site's own broker (mqtt.mode: external)`,
    );
  }

  async stop(): Promise<void> {
    const { server, aedes } = this;
    this.server = undefined;
    this.aedes = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (aedes) aedes.close();
      });
    }
  }

  /**
   * A live event for local integrations, at QoS 0 (like Zigbee2MQTT's state messages): it is
   * not retained and nobody could read it later, and the district's copy goes through the
   * durable outbox, so the feed spends nothing on acknowledgements.
   */
  publishLive(topic: string, payload: string): void {
    this.aedes?.publish(
      { cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
      () => {},
    );
  }

  publish(topic: string, payload: string, retain = false): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error("broker not started"));
    return new Promise((resolve, reject) => {
      aedes.publish(
        { cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, retain, dup: false },
        (error?: Error) => (error ? reject(error) : resolve()),
      );
    });
  }

  /**
   * A new TCP connection: refused at once past the per-address or not-logged-in bounds, else
   * handed to aedes with a packet guard that refuses oversized packets as aedes reads them
   * (before its parser buffers them), with a smaller limit until the client has logged in.
   */
  private accept(socket: Socket, aedes: Aedes): void {
    const { limits, metrics, log } = this.ctx;
    const address = socket.remoteAddress ?? "unknown";
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= limits.perAddress || this.unauthenticated >= limits.unauthenticated) {
      const reason = fromAddress >= limits.perAddress ? "address_limit" : "login_backlog";
      metrics.refusedClients.inc({ reason });
      log.warn({ address, reason }, `MQTT connection from ${address} refused: ${reason}`);
      socket.destroy();
      return;
    }
    this.perAddress.set(address, fromAddress + 1);
    this.unauthenticated += 1;
    let pending = true;
    const guard = guardPackets(
      socket,
      { beforeLoginBytes: limits.beforeLoginBytes, afterLoginBytes: limits.afterLoginBytes },
      (verdict) => {
        metrics.refusedClients.inc({ reason: `packet_${verdict.reason}` });
        log.warn(
          { address, reason: verdict.reason },
          `MQTT connection from ${address} closed: a packet over the size limit (mqtt.max_packet_kb)`,
        );
      },
    );
    this.loggedIn.set(socket, () => {
      if (pending) this.unauthenticated -= 1;
      pending = false;
      guard.loggedIn();
    });
    socket.once("close", () => {
      if (pending) this.unauthenticated -= 1;
      pending = false;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    aedes.handle(socket);
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const device = username === undefined ? undefined : this.ctx.devices.device(username);
    const expected = device?.transport === "mqtt" ? device.password : undefined;
    if (
      device &&
      expected !== undefined &&
      password !== undefined &&
      sameSecret(password, expected)
    ) {
      this.deviceOf.set(client, device.id);
      this.markLoggedIn(client);
      done(null, true);
      return;
    }
    if (!device && username !== undefined && password !== undefined) {
      void this.ctx.logins
        .attempt(username, password.toString("utf8"), remoteAddress(client), "mqtt")
        .then(
          (result) => {
            if (result.outcome === "ok") {
              this.integrations.add(client);
              this.markLoggedIn(client);
              done(null, true);
            } else this.refuse(client, username, done);
          },
          () => this.refuse(client, username, done),
        );
      return;
    }
    this.refuse(client, username, done);
  }

  private markLoggedIn(client: Client): void {
    this.loggedIn.get(client.conn)?.();
  }

  private refuse(
    client: Client,
    username: string | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    this.ctx.metrics.refusedClients.inc({ reason: "bad_credentials" });
    this.ctx.log.warn(
      { client: client.id, username: username ?? null },
      `MQTT login refused for ${username === undefined ? "an anonymous client" : `'${username}'`}: bad username or password`,
    );
    const error = new Error("bad username or password") as AuthenticateError;
    error.returnCode = BAD_USERNAME_OR_PASSWORD;
    done(error, false);
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    // The broker's own publications (client null) are always allowed.
    if (client === null) {
      done(null);
      return;
    }
    const deviceId = this.deviceOf.get(client);
    const topic = parseDeviceTopic(packet.topic);
    if (
      this.integrations.has(client) &&
      this.integrationTopics.heard(packet.topic, packet.payload.toString())
    ) {
      done(null);
      return;
    }
    if (deviceId === undefined || topic === null || topic.deviceId !== deviceId) {
      this.ctx.metrics.refusedClients.inc({ reason: "foreign_topic" });
      this.ctx.log.warn(
        { device: deviceId, topic: packet.topic },
        `publish refused: '${deviceId}' may not publish to ${packet.topic}`,
      );
      done(new Error("not authorized"));
      return;
    }
    const payload =
      typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    this.ctx.handler.handle(deviceId, topic.kind, payload, (error) => done(error));
  }

  private authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const deviceId = this.deviceOf.get(client);
    if (
      deviceId !== undefined &&
      subscription.topic.startsWith(`${DEVICE_TOPIC_ROOT}/${deviceId}/`)
    ) {
      done(null, subscription);
      return;
    }
    const readable = [
      gatewayEventTopic(this.ctx.gatewayId, ""),
      ...this.integrationTopics.readable,
    ];
    if (
      this.integrations.has(client) &&
      readable.some((prefix) => subscription.topic.startsWith(prefix))
    ) {
      done(null, subscription);
      return;
    }
    this.ctx.metrics.refusedClients.inc({ reason: "foreign_subscription" });
    this.ctx.log.warn(
      { device: deviceId, topic: subscription.topic },
      `subscription refused: '${deviceId}' may not subscribe to ${subscription.topic}`,
    );
    // A null subscription answers the SUBACK with 0x80 (failure) and keeps the device connected.
    done(null, null);
  }

  private connectionChanged(client: Client, delta: number): void {
    if (this.integrations.has(client)) {
      this.integrationCount = Math.max(0, this.integrationCount + delta);
      return;
    }
    const deviceId = this.deviceOf.get(client);
    if (deviceId === undefined) return;
    const count = Math.max(0, (this.connections.get(deviceId) ?? 0) + delta);
    this.connections.set(deviceId, count);
    if (delta > 0) this.ctx.devices.markSeen(deviceId, Date.now());
    this.ctx.ingest.setDeviceOnline(deviceId, count > 0, count > 0 ? "connected" : "disconnected");
  }
}

function remoteAddress(client: Client): string | null {
  const socket = client.conn as { remoteAddress?: string } | undefined;
  return socket?.remoteAddress ?? null;
}
