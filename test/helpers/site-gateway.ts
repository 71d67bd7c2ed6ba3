import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { connectDevice } from "./device.js";
import { DEVICE_PASSWORD } from "./gateway.js";
import { type GatewayProcess, processConfig, spawnGateway } from "./process.js";

/**
 * A site's gateway process forwarding to a district broker (docs/contract.md#upstream-the-district: `upstream` with the
 * district's topic prefix), in its own folder under `dir`: one gate, one MQTT thermometer,
 * which is connected and handed back with it.
 */
export async function spawnSiteGateway(
  dir: string,
  gatewayId: string,
  siteId: string,
  upstream: { brokerPort: number; password: string },
): Promise<{ gateway: GatewayProcess; thermometer: MqttClient }> {
  const home = join(dir, gatewayId);
  mkdirSync(home);
  const gateway = await spawnGateway(
    home,
    processConfig(
      home,
      gatewayId,
      {
        checkpoints: [{ id: "gate-1", name: "Gate" }],
        devices: [
          { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
        ],
      },
      {
        site: { id: siteId, name: siteId, timezone: "Asia/Shanghai" },
        upstream: {
          url: `mqtt://127.0.0.1:${upstream.brokerPort}`,
          username: gatewayId,
          password: upstream.password,
          topic_prefix: "district",
        },
      },
    ),
  );
  const thermometer = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
  return { gateway, thermometer };
}
