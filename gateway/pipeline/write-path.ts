import type { Logger } from "../../common/log.js";
import type { GatewayConfig } from "../config/schema.js";
import type { EventBus } from "../events.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";
import type { DeviceRegistry } from "./devices.js";
import { Ingest } from "./ingest.js";
import { Recorder } from "./recorder.js";

/** The recorder from the config (`pairing_window_s`, `alerts`), its units converted here. */
export function createRecorder(parts: {
  config: GatewayConfig;
  store: Store;
  devices: DeviceRegistry;
}): Recorder {
  const { config } = parts;
  return new Recorder({
    store: parts.store,
    devices: parts.devices,
    pairingWindowMs: config.pairing_window_s * 1000,
    lowRetest: {
      windowMs: config.alerts.low_retest_window_min * 60_000,
      samePassCount: config.alerts.low_retest_same_pass,
      inARow: config.alerts.low_retest_in_a_row,
    },
  });
}

/**
 * The one write path from the config: the recorder that decides what each arrival writes, and
 * the group-committing ingest in front of it (`ingest.*`, `pairing_window_s`, `alerts`).
 */
export function createWritePath(parts: {
  config: GatewayConfig;
  store: Store;
  bus: EventBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  /** Instead of `ingest.max_batch` (tests of batching). */
  maxBatch?: number | undefined;
}): Ingest {
  const { config, store, devices } = parts;
  const recorder = createRecorder({ config, store, devices });
  return new Ingest({
    store,
    recorder,
    bus: parts.bus,
    devices,
    metrics: parts.metrics,
    log: parts.log,
    maxBatch: parts.maxBatch ?? config.ingest.max_batch,
    commitDelayMs: config.ingest.commit_delay_ms,
  });
}
