import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Router } from "express";
import { childLogger, createLogger, type Logger } from "../common/log.js";
import { AccountLogin } from "./auth/account-login.js";
import { ConfigError } from "./config/load.js";
import { ConfigReloader } from "./config/reloader.js";
import type { GatewayConfig } from "./config/schema.js";
import type { OpenPort } from "./devices/serial-link.js";
import { EventBus } from "./events.js";
import { Metrics } from "./metrics.js";
import { createDeviceBroker } from "./mqtt/create-broker.js";
import type { DeviceBroker } from "./mqtt/device-broker.js";
import { DeviceMessageHandler } from "./mqtt/device-messages.js";
import type { BackupJob } from "./pipeline/backup-job.js";
import { DeviceClock } from "./pipeline/device-clock.js";
import { DeviceRegistry } from "./pipeline/devices.js";
import type { Ingest } from "./pipeline/ingest.js";
import { createWritePath } from "./pipeline/write-path.js";
import { Store } from "./store/store.js";

export interface GatewayOptions {
  log?: Logger;
  /** Where the first admin's generated password is told (default: stdout). */
  announce?: (line: string) => void;
  /** How serial ports are opened (tests pass node-serialport's mock). */
  openPort?: OpenPort;
  /**
   * Reads the config again for a reload (SIGHUP, `POST /api/config/reload`); main passes the
   * same file and environment the gateway started from. Without it a reload is refused.
   */
  loadConfig?: () => GatewayConfig;
}

/**
 * A part of the gateway with a life: started in order, stopped in reverse. Constructors only
 * assign; `start` opens ports and timers, `stop` closes them (Zigbee2MQTT's extensions).
 */
export interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * A feature's factory: reads its own config section from the core, decides whether it runs
 * (undefined when it does not), registers what other parts ask of it (health, routes, hooks)
 * and returns its component. Each feature folder has one, in its `component.ts`.
 */
export type ComponentFactory = (core: Core) => Component | undefined;

/** A section of `GET /api/health` a feature adds (the upstream link, the daily backup). */
export type HealthSource = () => object;

/** Who takes the HTTP server's WebSocket upgrades (the live hub). */
export interface UpgradeHandler {
  /** Takes one upgrade; false refuses it (the socket is destroyed). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Ends every upgraded connection (they are not HTTP connections any more). */
  disconnectAll(): void;
}

/**
 * What the features hand each other through the core, all registered while the components are
 * built (before any starts): health sections, routers that read their own bodies, the
 * WebSocket upgrade handler, and the HTTP server's port once it listens.
 */
export class CoreHooks {
  readonly health = new Map<string, HealthSource>();
  /** Routers mounted before the JSON parser (network terminals' `/ingest`). */
  readonly rawRouters: { path: string; router: Router }[] = [];
  /** Takes WebSocket upgrades (the live hub). */
  upgrades: UpgradeHandler | undefined;
  /** The HTTP server's port, once it listens (0 before). */
  httpPort: () => number = () => 0;
  /** The daily backup, when `backup.dir` is set (tests run it at will). */
  backups: BackupJob | undefined;
}

/**
 * The typed core every feature is built from (one object, not positional arguments): the
 * config, the store, the bus, the devices, the write path with its clock policy, the devices'
 * broker, metrics, logs, the config reloader and the hooks above.
 */
export interface Core {
  readonly config: GatewayConfig;
  readonly options: GatewayOptions;
  readonly log: Logger;
  /** A logger namespaced for one part (`gw:<name>`). */
  logger(name: string): Logger;
  readonly metrics: Metrics;
  readonly bus: EventBus;
  readonly devices: DeviceRegistry;
  readonly store: Store;
  readonly ingest: Ingest;
  readonly clock: DeviceClock;
  readonly logins: AccountLogin;
  readonly broker: DeviceBroker;
  readonly reloader: ConfigReloader;
  readonly hooks: CoreHooks;
  readonly startedAtMs: number;
}

/** The parts of the core that exist before the store is opened (the gateway's constructor). */
export function createBaseCore(config: GatewayConfig, options: GatewayOptions) {
  const log = options.log ?? createLogger(config.log_level);
  const metrics = new Metrics();
  const busLog = childLogger(log, "bus");
  const bus = new EventBus((listener, event, error) => {
    metrics.listenerErrors.inc({ listener });
    busLog.error(
      { err: error, listener, event: event.kind, seq: event.seq },
      `bus listener '${listener}' failed on event ${event.seq}; the others carry on`,
    );
  });
  return { config, options, log, metrics, bus, devices: new DeviceRegistry(config) };
}

/** Opens the store and builds the rest of the core on it. */
export function createCore(base: ReturnType<typeof createBaseCore>): Core {
  const { config, options, log, metrics, bus, devices } = base;
  const logger = (name: string) => childLogger(log, name);
  const store = Store.open(config.database.path, config.gateway_id);
  metrics.storeWritable = () => store.writeHealth().ok;
  const ingest = createWritePath({ config, store, bus, devices, metrics, log: logger("ingest") });
  const clock = new DeviceClock({
    devices,
    metrics,
    log: logger("mqtt"),
    maxClockSkewMs: config.ingest.max_clock_skew_s * 1000,
  });
  const logins = new AccountLogin(store);
  const handler = new DeviceMessageHandler({
    devices,
    ingest,
    metrics,
    log: logger("mqtt"),
    clock,
  });
  const broker = createDeviceBroker({
    config,
    store,
    devices,
    ingest,
    handler,
    logins,
    metrics,
    log: logger("mqtt"),
  });
  const reloader = new ConfigReloader({
    load:
      options.loadConfig ??
      (() => {
        throw new ConfigError(["this gateway was started without a config source to reload"]);
      }),
    initial: config,
    devices,
    store,
    metrics,
    log: logger("config"),
  });
  return {
    ...base,
    logger,
    store,
    ingest,
    clock,
    logins,
    broker,
    reloader,
    hooks: new CoreHooks(),
    startedAtMs: Date.now(),
  };
}
