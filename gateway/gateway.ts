import { randomBytes } from "node:crypto";
import { createApp } from "./api/app.js";
import { AccountLogin } from "./auth/account-login.js";
import { ConfigError } from "./config/load.js";
import { ConfigReloader, type ReloadOutcome } from "./config/reloader.js";
import type { GatewayConfig } from "./config/schema.js";
import { SerialDevices } from "./devices/serial-device.js";
import { type OpenPort, openSerialPort } from "./devices/serial-link.js";
import { EventBus } from "./events.js";
import { HttpServer } from "./http-server.js";
import { LiveHub } from "./live/hub.js";
import { childLogger, createLogger, type Logger } from "./log.js";
import { Metrics } from "./metrics.js";
import { EmbeddedBroker } from "./mqtt/broker.js";
import { DeviceMessageHandler } from "./mqtt/device-messages.js";
import { EventTopicPublisher } from "./mqtt/event-topics.js";
import { ExternalBroker } from "./mqtt/external-broker.js";
import { AlertDesk } from "./pipeline/alerts.js";
import { SummaryReportJob } from "./pipeline/daily-summary.js";
import { DeviceRegistry } from "./pipeline/devices.js";
import { DoorOpener } from "./pipeline/doors.js";
import { Ingest } from "./pipeline/ingest.js";
import { PassageDesk } from "./pipeline/passages.js";
import { RetentionJob } from "./pipeline/retention.js";
import { Store } from "./store/store.js";
import { UpstreamForwarder, upstreamLink } from "./upstream/forwarder.js";
import { PRIORITY, upstreamRoute } from "./upstream/routes.js";

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

/** Where devices' MQTT messages come from: the embedded aedes or an external broker (SPEC 4). */
type DeviceBroker = EmbeddedBroker | ExternalBroker;

/** A part of the gateway with a life: started in order, stopped in reverse (STYLE 1). */
interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * The composition root: builds every component from the config, starts them in dependency
 * order and stops them in reverse. Constructors only assign; all I/O happens in `start()`.
 */
export class Gateway {
  readonly bus = new EventBus();
  readonly metrics = new Metrics();
  readonly devices: DeviceRegistry;
  readonly log: Logger;
  private storeInstance: Store | undefined;
  private broker: DeviceBroker | undefined;
  private http: HttpServer | undefined;
  private ingestInstance: Ingest | undefined;
  private reloader: ConfigReloader | undefined;
  private readonly started: Component[] = [];
  private readonly startedAtMs = Date.now();

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = options.log ?? createLogger(config.log_level);
    this.devices = new DeviceRegistry(config);
  }

  get store(): Store {
    if (!this.storeInstance) throw new Error("gateway not started");
    return this.storeInstance;
  }

  get ingest(): Ingest {
    if (!this.ingestInstance) throw new Error("gateway not started");
    return this.ingestInstance;
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  get mqttPort(): number {
    return this.broker?.port ?? 0;
  }

  async start(): Promise<void> {
    const { config, bus, metrics, devices, log } = this;
    const upstreamConfig = config.upstream;
    const store = Store.open(config.database.path, config.gateway_id);
    this.storeInstance = store;
    this.started.push({ name: "store", start: () => {}, stop: () => store.close() });
    await this.ensureAdmin(store);

    const ingest = new Ingest({
      store,
      bus,
      devices,
      metrics,
      log: childLogger(log, "ingest"),
      maxBatch: config.ingest.max_batch,
      commitDelayMs: config.ingest.commit_delay_ms,
      alsoInTransaction: upstreamConfig
        ? (event) => {
            const route = upstreamRoute(event, upstreamConfig.forward_readings);
            if (route) store.outbox.add(event, route.kind, route.priority, Date.now());
          }
        : undefined,
    });
    const forwarder = upstreamConfig
      ? new UpstreamForwarder({
          config: upstreamConfig,
          link: upstreamLink(upstreamConfig, config.gateway_id, config.site.id),
          store,
          bus,
          metrics,
          log: childLogger(log, "upstream"),
          raiseAlert: () =>
            ingest.submitAlert({
              kind: "upstream_backlog",
              checkpoint_id: null,
              device_id: null,
              passage_id: null,
              reading_id: null,
              pass_id: null,
              temp_c: null,
              ts_ms: Date.now(),
            }),
        })
      : undefined;
    this.ingestInstance = ingest;
    const live = new LiveHub({
      store,
      bus,
      devices,
      metrics,
      log: childLogger(log, "live"),
      gatewayId: config.gateway_id,
      maxBufferedBytes: config.live.max_buffered_kb * 1024,
      pingIntervalMs: config.live.ping_interval_s * 1000,
      maxReplay: config.live.max_replay,
    });
    const handler = new DeviceMessageHandler({
      devices,
      ingest,
      metrics,
      log: childLogger(log, "mqtt"),
    });
    const logins = new AccountLogin(store);
    const broker: DeviceBroker =
      config.mqtt.mode === "external"
        ? new ExternalBroker({
            config: { ...config.mqtt, url: config.mqtt.url as string },
            gatewayId: config.gateway_id,
            devices,
            handler,
            metrics,
            log: childLogger(log, "mqtt"),
          })
        : new EmbeddedBroker({
            devices,
            ingest,
            handler,
            logins,
            gatewayId: config.gateway_id,
            metrics,
            log: childLogger(log, "mqtt"),
            host: config.mqtt.host,
            port: config.mqtt.port,
          });
    this.broker = broker;
    const app = createApp({
      config,
      store,
      devices,
      metrics,
      log: childLogger(log, "api"),
      broker: () => ({
        port: broker.port,
        clients: broker.connectedClients,
        connected: broker.isConnected,
      }),
      upstream: () => forwarder?.health() ?? null,
      startedAtMs: this.startedAtMs,
      bodyLimit: config.http.body_limit,
      sessionTtlMs: config.session_ttl_h * 3600_000,
      ingest,
      logins,
      configView: () => this.currentConfig,
      reloadConfig: (actor, address) => this.reloadConfig(actor, address),
    });
    const http = new HttpServer(
      app,
      live,
      config.http.host,
      config.http.port,
      childLogger(log, "http"),
    );
    this.http = http;

    await this.startComponent({ name: "ingest", start: () => {}, stop: () => ingest.flush() });
    // Alerts listen before passages, so a fever's alert is stored ahead of its passage: the
    // guard hears of it at once, not when the passage closes (SPEC 2).
    const alerts = new AlertDesk({ bus, store, ingest, devices, config: config.alerts });
    await this.startComponent({
      name: "alerts",
      start: () => alerts.start(),
      stop: () => alerts.stop(),
    });
    const passages = new PassageDesk({
      bus,
      store,
      ingest,
      devices,
      log: childLogger(log, "passages"),
      pairingWindowMs: config.pairing_window_s * 1000,
    });
    await this.startComponent({
      name: "passages",
      start: () => passages.start(),
      stop: () => passages.stop(),
    });
    await this.startComponent({ name: "live", start: () => live.start(), stop: () => live.stop() });
    await this.startComponent({
      name: "mqtt broker",
      start: () => broker.start(),
      stop: () => broker.stop(),
    });
    const eventTopics = new EventTopicPublisher({
      bus,
      gatewayId: config.gateway_id,
      publish: (topic, payload) => broker.publish(topic, payload),
      hasListeners: () => broker.hasIntegrations,
      log: childLogger(log, "mqtt"),
    });
    await this.startComponent({
      name: "event topics",
      start: () => eventTopics.start(),
      stop: () => eventTopics.stop(),
    });
    if (forwarder) {
      await this.startComponent({
        name: "upstream",
        start: () => forwarder.start(),
        stop: () => forwarder.stop(),
      });
    }
    const retention = new RetentionJob({
      store,
      log: childLogger(log, "retention"),
      retentionDays: config.retention_days,
      timeZone: config.site.timezone,
    });
    await this.startComponent({
      name: "retention",
      start: () => retention.start(),
      stop: () => retention.stop(),
    });
    this.reloader = new ConfigReloader({
      load:
        this.options.loadConfig ??
        (() => {
          throw new ConfigError(["this gateway was started without a config source to reload"]);
        }),
      initial: config,
      devices,
      retention,
      screeningChanged: () => live.greetKiosksAgain(),
      store,
      metrics,
      log: childLogger(log, "config"),
    });
    if (upstreamConfig) {
      const summaries = new SummaryReportJob({
        store,
        log: childLogger(log, "summary"),
        checkpoints: config.checkpoints,
        gatewayId: config.gateway_id,
        siteId: config.site.id,
        timeZone: config.site.timezone,
        priority: PRIORITY.summary,
      });
      await this.startComponent({
        name: "summary-report",
        start: () => summaries.start(),
        stop: () => summaries.stop(),
      });
    }
    const doors = new DoorOpener({
      bus,
      devices,
      log: childLogger(log, "doors"),
      publish: (topic, payload) => broker.publish(topic, payload),
    });
    await this.startComponent({
      name: "doors",
      start: () => doors.start(),
      stop: () => doors.stop(),
    });
    await this.startComponent({ name: "http", start: () => http.start(), stop: () => http.stop() });
    const serial = new SerialDevices(config.devices, {
      ingest,
      devices,
      metrics,
      log: childLogger(log, "serial"),
      openPort: this.options.openPort ?? openSerialPort,
    });
    await this.startComponent({
      name: "serial devices",
      start: () => serial.start(),
      stop: () => serial.stop(),
    });
    log.info(
      {
        http: http.port,
        mqtt: broker.port,
        db: config.database.path,
        devices: config.devices.length,
      },
      `gateway ${config.gateway_id} started`,
    );
  }

  /** Stops every started component in reverse order; safe to call more than once. */
  /** Reads the config again and takes on what it can at once (see config/reloader.ts). */
  reloadConfig(actor: string, address: string | null = null): ReloadOutcome {
    if (!this.reloader) throw new Error("gateway not started");
    return this.reloader.reload(actor, address);
  }

  /** The config in force, with the live settings reloaded since the start. */
  get currentConfig(): GatewayConfig {
    return this.reloader?.config ?? this.config;
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const component = this.started.pop();
      if (!component) break;
      try {
        await component.stop();
      } catch (error) {
        this.log.error({ err: error }, `stopping ${component.name} failed`);
      }
    }
  }

  private async startComponent(component: Component): Promise<void> {
    try {
      await component.start();
    } catch (error) {
      throw new Error(`${component.name}: ${(error as Error).message}`, { cause: error });
    }
    this.started.push(component);
  }

  /** Creates the `admin` account at first start (SPEC 7). */
  private async ensureAdmin(store: Store): Promise<void> {
    if (store.accounts.hasAdmin()) return;
    const generated = this.config.admin_password === undefined;
    const password = this.config.admin_password ?? randomBytes(12).toString("base64url");
    await store.accounts.create("admin", password, "admin", Date.now());
    if (generated) {
      const announce =
        this.options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
      announce(
        `First start: created account 'admin' with password ${password} (shown only this once).`,
      );
    }
    this.log.info("created the first admin account");
  }
}
