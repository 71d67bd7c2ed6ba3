import type { ComponentFactory } from "../core.js";
import { DoorOpener } from "./doors.js";
import { EventTopicPublisher } from "./event-topics.js";

/** The gateway's events on its broker for local integrations (docs/contract.md#devices-over-mqtt), while anyone listens. */
export const eventTopicsComponent: ComponentFactory = ({ bus, broker, config }) => {
  const eventTopics = new EventTopicPublisher({
    bus,
    gatewayId: config.gateway_id,
    publish: (topic, payload) => broker.publishLive(topic, payload),
    hasListeners: () => broker.hasIntegrations,
  });
  return { name: "event topics", start: () => eventTopics.start(), stop: () => eventTopics.stop() };
};

/** A checkpoint's door told to open on an allowed passage (a checkpoint's `door`). */
export const doorsComponent: ComponentFactory = (core) => {
  const doors = new DoorOpener({
    bus: core.bus,
    devices: core.devices,
    log: core.logger("doors"),
    publish: (topic, payload) => core.broker.publish(topic, payload),
  });
  return { name: "doors", start: () => doors.start(), stop: () => doors.stop() };
};
