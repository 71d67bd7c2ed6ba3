import { rmSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { createLogger } from "../../common/log.js";
import type { GatewayConfig } from "../../gateway/config/schema.js";
import { Gateway } from "../../gateway/gateway.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "./device.js";
import { testConfig } from "./gateway.js";

/**
 * A gateway that can be stopped and started again on the same ports and SQLite file, as a
 * site's gateway is restarted, with `thermo-1` connected whenever it runs.
 */
export class RestartableGateway {
  gateway!: Gateway;
  thermo!: MqttClient;
  private readonly config: GatewayConfig;
  private readonly dir: string;

  constructor() {
    ({ config: this.config, dir: this.dir } = testConfig());
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.gateway.httpPort}`;
  }

  async start(httpPort = 0, mqttPort = 0): Promise<void> {
    const config = {
      ...this.config,
      http: { ...this.config.http, port: httpPort },
      mqtt: { ...this.config.mqtt, port: mqttPort },
    };
    this.gateway = new Gateway(config, { log: createLogger("silent") });
    await this.gateway.start();
    this.thermo = await connectDevice(`mqtt://127.0.0.1:${this.gateway.mqttPort}`, "thermo-1");
  }

  async stop(): Promise<void> {
    await this.thermo?.endAsync(true);
    await this.gateway?.stop();
  }

  /** Stops, then starts again on the same ports. */
  async restart(between: () => Promise<void> = async () => {}): Promise<void> {
    const [httpPort, mqttPort] = [this.gateway.httpPort, this.gateway.mqttPort];
    await this.stop();
    await between();
    await this.start(httpPort, mqttPort);
  }

  temperature(tempC: number): Promise<void> {
    return publishQos1(this.thermo, deviceTopic("thermo-1", "temperature"), { temp_c: tempC });
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
