import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every metric the gateway exposes on `/metrics` (docs/contract.md#http-api), defined once: the property name the
 * code uses, its Prometheus name, help and labels. The Metrics class below builds them.
 */
const METRICS = {
  readings: {
    type: "counter",
    name: "checkpoint_readings_total",
    help: "Readings stored, by checkpoint and screening status.",
    labels: ["checkpoint", "status"],
  },
  fevers: {
    type: "counter",
    name: "checkpoint_fevers_total",
    help: "Readings screened as fever, by checkpoint.",
    labels: ["checkpoint"],
  },
  configReloads: {
    type: "counter",
    name: "checkpoint_config_reloads_total",
    help: "Config reloads (SIGHUP or the admin API), by outcome: applied, unchanged, rejected.",
    labels: ["outcome"],
  },
  duplicates: {
    type: "counter",
    name: "checkpoint_duplicate_messages_total",
    help: "Messages with a msg_id already stored (QoS 1 redeliveries), by device.",
    labels: ["device"],
  },
  badPayloads: {
    type: "counter",
    name: "checkpoint_bad_payloads_total",
    help: "Device messages dropped as malformed, by device and reason.",
    labels: ["device", "reason"],
  },
  clockSkewed: {
    type: "counter",
    name: "checkpoint_device_clock_skewed_total",
    help: "Device messages whose time was too far from the gateway's to use (stored with the gateway's time), by device.",
    labels: ["device"],
  },
  badFrames: {
    type: "counter",
    name: "checkpoint_bad_frames_total",
    help: "Serial bytes dropped, by device and reason (checksum, malformed, garbage, overflow, no_match).",
    labels: ["device", "reason"],
  },
  serialReopens: {
    type: "counter",
    name: "checkpoint_serial_reopen_attempts_total",
    help: "Times a serial port was found missing or lost and a reopen was scheduled, by device.",
    labels: ["device"],
  },
  upstreamForwarded: {
    type: "counter",
    name: "checkpoint_upstream_forwarded_total",
    help: "Events acknowledged by the upstream broker, by kind.",
    labels: ["kind"],
  },
  upstreamReconnects: {
    type: "counter",
    name: "checkpoint_upstream_reconnects_total",
    help: "Times the upstream connection was lost or could not be made.",
    labels: [],
  },
  upstreamOldestAge: {
    type: "gauge",
    name: "checkpoint_upstream_oldest_age_seconds",
    help: "Age of the oldest event in the upstream outbox (0 when empty).",
    labels: [],
  },
  upstreamQueueDepth: {
    type: "gauge",
    name: "checkpoint_upstream_queue_depth",
    help: "Events in the upstream outbox, waiting for the district broker.",
    labels: [],
  },
  refusedClients: {
    type: "counter",
    name: "checkpoint_mqtt_refused_total",
    help: "MQTT connections, publishes and subscriptions refused by policy, by reason.",
    labels: ["reason"],
  },
  badRequests: {
    type: "counter",
    name: "checkpoint_bad_requests_total",
    help: "HTTP requests and WebSocket upgrades refused as malformed or not allowed, by reason.",
    labels: ["reason"],
  },
  pictureFailures: {
    type: "counter",
    name: "checkpoint_picture_write_failures_total",
    help: "Terminal pictures that could not be written (a full disk): the notification answered 503.",
    labels: ["device"],
  },
  storeErrors: {
    type: "counter",
    name: "checkpoint_store_errors_total",
    help: "Messages that could not be committed (not acknowledged; devices send them again).",
    labels: [],
  },
  listenerErrors: {
    type: "counter",
    name: "checkpoint_bus_listener_errors_total",
    help: "Committed events a bus listener threw on (the other listeners still got them).",
    labels: ["listener"],
  },
  batchSize: {
    type: "histogram",
    name: "checkpoint_ingest_batch_size",
    help: "Messages committed per transaction (group commit).",
    labels: [],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
  },
  wsClients: {
    type: "gauge",
    name: "checkpoint_ws_clients",
    help: "Connected live clients, by channel.",
    labels: ["channel"],
  },
  wsDropped: {
    type: "counter",
    name: "checkpoint_ws_dropped_total",
    help: "Live clients dropped, by reason (slow: too much unsent data; timeout: no pong).",
    labels: ["reason"],
  },
} as const satisfies Record<string, MetricSpec>;

interface MetricSpec {
  type: "counter" | "gauge" | "histogram";
  name: string;
  help: string;
  labels: readonly string[];
  buckets?: readonly number[];
}

type Labels<S extends MetricSpec> = S["labels"][number];
type Collector<S extends MetricSpec> = S["type"] extends "counter"
  ? Counter<Labels<S>>
  : S["type"] extends "gauge"
    ? Gauge<Labels<S>>
    : Histogram<Labels<S>>;
type Collectors = { readonly [K in keyof typeof METRICS]: Collector<(typeof METRICS)[K]> };

function collector(spec: MetricSpec, registry: Registry): Counter | Gauge | Histogram {
  const options = {
    name: spec.name,
    help: spec.help,
    labelNames: spec.labels,
    registers: [registry],
  };
  switch (spec.type) {
    case "counter":
      return new Counter(options);
    case "gauge":
      return new Gauge(options);
    case "histogram":
      return new Histogram({ ...options, buckets: [...(spec.buckets ?? [])] });
  }
}

// The collectors are the table's, built in the constructor: the interface gives them their types.
export interface Metrics extends Collectors {}

/**
 * Prometheus metrics (docs/contract.md#http-api `/metrics`). One registry per gateway instance, so that tests
 * can run several gateways in one process.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class Metrics {
  readonly registry = new Registry();

  /** Reads the store's write health at each scrape (set by the core). */
  storeWritable: () => boolean = () => true;

  constructor() {
    for (const [key, spec] of Object.entries(METRICS))
      Object.defineProperty(this, key, { value: collector(spec, this.registry), enumerable: true });
    const storeWritable = () => this.storeWritable();
    new Gauge({
      name: "checkpoint_store_writable",
      help: "1 while writes to the database succeed and its file is the one opened; 0 otherwise.",
      registers: [this.registry],
      // Read at each scrape (prom-client calls it on the gauge).
      collect(this: Gauge) {
        this.set(storeWritable() ? 1 : 0);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
