import type { ComponentFactory } from "../core.js";
import { LiveHub } from "./hub.js";

/**
 * Live push to the kiosk screens and the guard consoles (`live.*`, `kiosk`): takes the HTTP
 * server's WebSocket upgrades, and greets the kiosks again when a reload changed screening.
 */
export const liveComponent: ComponentFactory = (core) => {
  const { config } = core;
  const live = new LiveHub({
    store: core.store,
    bus: core.bus,
    devices: core.devices,
    metrics: core.metrics,
    log: core.logger("live"),
    gatewayId: config.gateway_id,
    maxBufferedBytes: config.live.max_buffered_kb * 1024,
    pingIntervalMs: config.live.ping_interval_s * 1000,
    maxReplay: config.live.max_replay,
    maxReplayKiosk: config.live.max_replay_kiosk,
    maxKiosks: config.live.max_kiosk_clients,
    maxKiosksPerAddress: config.live.max_kiosk_clients_per_address,
    allowedOrigins: config.http.allowed_origins,
    screen: config.kiosk,
  });
  core.hooks.upgrades = live;
  core.reloader.onApplied((_next, { screeningChanged }) => {
    if (screeningChanged) live.greetKiosksAgain();
  });
  return { name: "live", start: () => live.start(), stop: () => live.stop() };
};
