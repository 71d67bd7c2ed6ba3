import type { ComponentFactory } from "../core.js";

/**
 * The devices' broker (built with the core: every output publishes on it), started once the
 * write path runs and stopped before it, so devices go quiet before what they feed goes away.
 */
export const brokerComponent: ComponentFactory = ({ broker }) => ({
  name: "mqtt broker",
  start: () => broker.start(),
  stop: () => broker.stop(),
});
