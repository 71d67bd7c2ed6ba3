import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics (SPEC 7 `/metrics`). One registry per gateway instance, so that tests
 * can run several gateways in one process.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly readings = new Counter({
    name: "checkpoint_readings_total",
    help: "Readings stored, by checkpoint and screening status.",
    labelNames: ["checkpoint", "status"] as const,
    registers: [this.registry],
  });

  readonly fevers = new Counter({
    name: "checkpoint_fevers_total",
    help: "Readings screened as fever, by checkpoint.",
    labelNames: ["checkpoint"] as const,
    registers: [this.registry],
  });

  readonly configReloads = new Counter({
    name: "checkpoint_config_reloads_total",
    help: "Config reloads (SIGHUP or the admin API), by outcome: applied, unchanged, rejected.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly duplicates = new Counter({
    name: "checkpoint_duplicate_messages_total",
    help: "Messages with a msg_id already stored (QoS 1 redeliveries), by device.",
    labelNames: ["device"] as const,
    registers: [this.registry],
  });

  readonly badPayloads = new Counter({
    name: "checkpoint_bad_payloads_total",
    help: "Device messages dropped as malformed, by device and reason.",
    labelNames: ["device", "reason"] as const,
    registers: [this.registry],
  });

  readonly clockSkewed = new Counter({
    name: "checkpoint_device_clock_skewed_total",
    help: "Device messages whose time was too far from the gateway's to use (stored with the gateway's time), by device.",
    labelNames: ["device"] as const,
    registers: [this.registry],
  });

  readonly badFrames = new Counter({
    name: "checkpoint_bad_frames_total",
    help: "Serial bytes dropped, by device and reason (checksum, malformed, garbage, overflow, no_match).",
    labelNames: ["device", "reason"] as const,
    registers: [this.registry],
  });

  readonly serialReopens = new Counter({
    name: "checkpoint_serial_reopen_attempts_total",
    help: "Times a serial port was found missing or lost and a reopen was scheduled, by device.",
    labelNames: ["device"] as const,
    registers: [this.registry],
  });

  readonly upstreamForwarded = new Counter({
    name: "checkpoint_upstream_forwarded_total",
    help: "Events acknowledged by the upstream broker, by kind.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly upstreamReconnects = new Counter({
    name: "checkpoint_upstream_reconnects_total",
    help: "Times the upstream connection was lost or could not be made.",
    registers: [this.registry],
  });

  readonly upstreamOldestAge = new Gauge({
    name: "checkpoint_upstream_oldest_age_seconds",
    help: "Age of the oldest event in the upstream outbox (0 when empty).",
    registers: [this.registry],
  });

  readonly upstreamQueueDepth = new Gauge({
    name: "checkpoint_upstream_queue_depth",
    help: "Events in the upstream outbox, waiting for the district broker.",
    registers: [this.registry],
  });

  readonly refusedClients = new Counter({
    name: "checkpoint_mqtt_refused_total",
    help: "MQTT connections, publishes and subscriptions refused by policy, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly badRequests = new Counter({
    name: "checkpoint_bad_requests_total",
    help: "HTTP requests and WebSocket upgrades refused as malformed or not allowed, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  /** Reads the store's write health at each scrape (set by the composition root). */
  storeWritable: () => boolean = () => true;

  readonly storeWritableGauge = new Gauge({
    name: "checkpoint_store_writable",
    help: "1 while writes to the database succeed and its file is the one opened; 0 otherwise.",
    registers: [this.registry],
    collect: () => {
      this.storeWritableGauge.set(this.storeWritable() ? 1 : 0);
    },
  });

  readonly storeErrors = new Counter({
    name: "checkpoint_store_errors_total",
    help: "Messages that could not be committed (not acknowledged; devices send them again).",
    registers: [this.registry],
  });

  readonly listenerErrors = new Counter({
    name: "checkpoint_bus_listener_errors_total",
    help: "Committed events a bus listener threw on (the other listeners still got them).",
    labelNames: ["listener"] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: "checkpoint_ingest_batch_size",
    help: "Messages committed per transaction (group commit).",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [this.registry],
  });

  readonly wsClients = new Gauge({
    name: "checkpoint_ws_clients",
    help: "Connected live clients, by channel.",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });

  readonly wsDropped = new Counter({
    name: "checkpoint_ws_dropped_total",
    help: "Live clients dropped, by reason (slow: too much unsent data; timeout: no pong).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
