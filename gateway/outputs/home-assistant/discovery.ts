import { chineseFirst } from "../../domain/words.js";

/**
 * Home Assistant MQTT discovery (docs/contract.md#configuration `home_assistant`), pure: the retained config messages
 * that make each thermometer a temperature sensor, each reader a tag scanner and each checkpoint a
 * fever binary sensor with today's counts, and the state topics the gateway publishes to. Keys
 * are Home Assistant's documented ones for MQTT discovery (sensor, binary_sensor, tag).
 */

export interface DiscoverySite {
  gatewayId: string;
  discoveryPrefix: string;
  version: string;
  checkpoints: readonly { id: string; name: string }[];
  devices: readonly { id: string; kind: string; checkpoint: string }[];
}

export interface MqttMessage {
  topic: string;
  payload: string;
}

/** Topic levels Home Assistant accepts in a node or object id. */
const safe = (id: string) => id.replace(/[^a-zA-Z0-9_-]/g, "_");

/** Where the gateway publishes the states Home Assistant reads. */
export const haTopics = (gatewayId: string) => {
  const base = `checkpoint/gateway/${gatewayId}/ha`;
  return {
    base,
    availability: `${base}/availability`,
    temperature: (deviceId: string) => `${base}/${safe(deviceId)}/temperature`,
    tag: (deviceId: string) => `${base}/${safe(deviceId)}/tag`,
    fever: (checkpointId: string) => `${base}/${safe(checkpointId)}/fever`,
    count: (checkpointId: string, what: "passages" | "fevers") =>
      `${base}/${safe(checkpointId)}/${what}_today`,
  };
};

/** Home Assistant's birth and last-will topic under a discovery prefix. */
export const birthTopic = (discoveryPrefix: string) => `${discoveryPrefix}/status`;

export function discoveryMessages(site: DiscoverySite): MqttMessage[] {
  const topics = haTopics(site.gatewayId);
  const node = safe(site.gatewayId);
  const gatewayDevice = {
    identifiers: [`checkpoint_${node}`],
    name: `Checkpoint Gateway ${site.gatewayId}`,
    manufacturer: "Checkpoint Gateway",
    model: "gateway",
    sw_version: site.version,
  };
  const availability = { availability_topic: topics.availability };
  const config = (component: string, objectId: string, body: Record<string, unknown>) => ({
    topic: `${site.discoveryPrefix}/${component}/${node}/${safe(objectId)}/config`,
    payload: JSON.stringify(body),
  });
  const checkpointName = (id: string) =>
    chineseFirst(site.checkpoints.find((c) => c.id === id)?.name ?? id);
  const messages: MqttMessage[] = [];
  for (const device of site.devices) {
    const haDevice = {
      identifiers: [`checkpoint_${node}_${safe(device.id)}`],
      name: `${checkpointName(device.checkpoint)} ${device.id}`,
      manufacturer: "Checkpoint Gateway",
      model: device.kind,
      via_device: `checkpoint_${node}`,
      suggested_area: checkpointName(device.checkpoint),
    };
    if (device.kind === "thermometer" || device.kind === "terminal")
      messages.push(
        config("sensor", `${device.id}_temperature`, {
          name: "Temperature",
          unique_id: `checkpoint_${node}_${safe(device.id)}_temperature`,
          state_topic: topics.temperature(device.id),
          device_class: "temperature",
          unit_of_measurement: "°C",
          state_class: "measurement",
          suggested_display_precision: 1,
          ...availability,
          device: haDevice,
        }),
      );
    if (device.kind === "pass_reader" || device.kind === "terminal")
      messages.push(
        config("tag", `${device.id}_tag`, {
          topic: topics.tag(device.id),
          value_template: "{{ value }}",
          device: haDevice,
        }),
      );
  }
  for (const checkpoint of site.checkpoints) {
    const haDevice = {
      identifiers: [`checkpoint_${node}_${safe(checkpoint.id)}`],
      name: chineseFirst(checkpoint.name),
      manufacturer: "Checkpoint Gateway",
      model: "checkpoint",
      via_device: `checkpoint_${node}`,
      suggested_area: chineseFirst(checkpoint.name),
    };
    messages.push(
      config("binary_sensor", `${checkpoint.id}_fever`, {
        name: "Fever",
        unique_id: `checkpoint_${node}_${safe(checkpoint.id)}_fever`,
        state_topic: topics.fever(checkpoint.id),
        device_class: "heat",
        payload_on: "ON",
        payload_off: "OFF",
        ...availability,
        device: haDevice,
      }),
    );
    for (const what of ["passages", "fevers"] as const)
      messages.push(
        config("sensor", `${checkpoint.id}_${what}_today`, {
          name: what === "passages" ? "Passages today" : "Fevers today",
          unique_id: `checkpoint_${node}_${safe(checkpoint.id)}_${what}_today`,
          state_topic: topics.count(checkpoint.id, what),
          state_class: "total_increasing",
          ...availability,
          device: haDevice,
        }),
      );
  }
  // The gateway itself, so its entities hang under one device in Home Assistant.
  messages.push(
    config("binary_sensor", "gateway_online", {
      name: "Online",
      unique_id: `checkpoint_${node}_online`,
      state_topic: topics.availability,
      device_class: "connectivity",
      payload_on: "online",
      payload_off: "offline",
      device: gatewayDevice,
    }),
  );
  return messages;
}
