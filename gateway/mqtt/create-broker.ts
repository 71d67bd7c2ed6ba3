import type { Logger } from "../../common/log.js";
import type { AccountLogin } from "../auth/account-login.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Ingest } from "../pipeline/ingest.js";
import type { Store } from "../store/store.js";
import { EmbeddedBroker } from "./broker.js";
import type { DeviceBroker } from "./device-broker.js";
import type { DeviceMessageHandler } from "./device-messages.js";
import { ExternalBroker } from "./external-broker.js";

/** The devices' broker `mqtt.mode` asks for (docs/contract.md#devices-over-mqtt): the embedded aedes or the site's own. */
export function createDeviceBroker(parts: {
  config: GatewayConfig;
  store: Store;
  devices: DeviceRegistry;
  ingest: Ingest;
  handler: DeviceMessageHandler;
  logins: AccountLogin;
  metrics: Metrics;
  log: Logger;
}): DeviceBroker {
  const { config, devices, handler, metrics, log } = parts;
  const { mqtt } = config;
  if (mqtt.mode === "external") {
    // The schema requires the URL in this mode; said again here so the type follows.
    if (mqtt.url === undefined) throw new Error("mqtt.url: required when mode is external");
    return new ExternalBroker({
      config: { ...mqtt, url: mqtt.url },
      gatewayId: config.gateway_id,
      connections: mqtt.connections,
      sessions: parts.store.brokerSessions,
      devices,
      handler,
      metrics,
      log,
    });
  }
  return new EmbeddedBroker({
    devices,
    ingest: parts.ingest,
    handler,
    logins: parts.logins,
    gatewayId: config.gateway_id,
    metrics,
    log,
    host: mqtt.host,
    port: mqtt.port,
    limits: {
      beforeLoginBytes: mqtt.max_packet_before_login_kb * 1024,
      afterLoginBytes: mqtt.max_packet_kb * 1024,
      perAddress: mqtt.max_connections_per_address,
      unauthenticated: mqtt.max_unauthenticated,
    },
  });
}
