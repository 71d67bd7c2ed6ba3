import { gatewayVersion } from "../../cli/version.js";
import type { ComponentFactory } from "../../core.js";
import { birthTopic, haTopics } from "./discovery.js";
import { HomeAssistantPublisher } from "./publisher.js";

/**
 * Home Assistant on the devices' broker (docs/contract.md#configuration `home_assistant`), when enabled: its discovery
 * and states readable by a logged-in integration on the embedded broker, its birth message read
 * on either broker.
 */
export const homeAssistantComponent: ComponentFactory = (core) => {
  const { config, broker } = core;
  if (!config.home_assistant.enabled) return undefined;
  const prefix = config.home_assistant.discovery_prefix;
  const publisher = new HomeAssistantPublisher({
    site: {
      gatewayId: config.gateway_id,
      discoveryPrefix: prefix,
      version: gatewayVersion(),
      checkpoints: config.checkpoints,
      devices: config.devices,
    },
    timeZone: config.site.timezone,
    bus: core.bus,
    store: core.store,
    publish: (topic, payload, retain) => broker.publish(topic, payload, retain),
    log: core.logger("home-assistant"),
  });
  broker.addIntegration({
    readable: [`${prefix}/`, `${haTopics(config.gateway_id).base}/`],
    subscribe: [birthTopic(prefix)],
    heard: (topic, payload) => publisher.heard(topic, payload),
  });
  return { name: "home assistant", start: () => publisher.start(), stop: () => publisher.stop() };
};
