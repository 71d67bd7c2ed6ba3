import mqtt, { type MqttClient } from "mqtt";
import {
  deviceTopic,
  type ScanPayload,
  type StatusPayload,
  type TemperaturePayload,
} from "../gateway/mqtt/contract.js";

/**
 * A virtual MQTT thermometer or reader: logs in with its own credentials, announces itself
 * online with a last will of offline, and publishes with QoS 1 using the gateway's own
 * payload types (docs/contract.md#devices-over-mqtt).
 */
export class MqttDevice {
  private client: MqttClient | undefined;
  private sent = 0;

  constructor(
    readonly id: string,
    private readonly password: string,
    private readonly url: string,
  ) {}

  async connect(): Promise<void> {
    const offline: StatusPayload = { online: false };
    this.client = await mqtt.connectAsync(this.url, {
      username: this.id,
      password: this.password,
      clientId: `sim-${this.id}`,
      reconnectPeriod: 1000,
      will: {
        topic: deviceTopic(this.id, "status"),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: false,
      },
    });
    const online: StatusPayload = { online: true };
    await this.client.publishAsync(deviceTopic(this.id, "status"), JSON.stringify(online), {
      qos: 1,
    });
  }

  /** Resolves when the gateway acknowledged (stored) the reading. */
  async sendTemperature(tempC: number, prefix: string): Promise<string> {
    if (!this.client) throw new Error(`${this.id} is not connected`);
    this.sent += 1;
    const payload: TemperaturePayload = {
      temp_c: tempC,
      ts: Date.now(),
      msg_id: `${prefix}-${this.id}-${this.sent}`,
    };
    await this.client.publishAsync(deviceTopic(this.id, "temperature"), JSON.stringify(payload), {
      qos: 1,
    });
    return payload.msg_id as string;
  }

  /** Subscribes to this device's command topic (a door controller's). */
  async onCommand(handle: (command: string) => void): Promise<void> {
    if (!this.client) throw new Error(`${this.id} is not connected`);
    this.client.on("message", (_topic, payload) => handle(payload.toString()));
    await this.client.subscribeAsync(deviceTopic(this.id, "command"), { qos: 1 });
  }

  /** Resolves when the gateway acknowledged (stored) the scan. */
  async sendScan(passId: string, method: "card" | "qr", prefix: string): Promise<string> {
    if (!this.client) throw new Error(`${this.id} is not connected`);
    this.sent += 1;
    const payload: ScanPayload = {
      pass_id: passId,
      method,
      ts: Date.now(),
      msg_id: `${prefix}-${this.id}-${this.sent}`,
    };
    await this.client.publishAsync(deviceTopic(this.id, "scan"), JSON.stringify(payload), {
      qos: 1,
    });
    return payload.msg_id as string;
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }
}
