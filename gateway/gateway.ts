import { dirname, join } from "node:path";
import { createApp } from "./api/app.js";
import { AccountLogin } from "./auth/account-login.js";
import { ensureFirstAdmin } from "./auth/first-admin.js";
import { gatewayVersion } from "./cli/version.js";
import { ConfigError } from "./config/load.js";
import { ConfigReloader, type ReloadOutcome } from "./config/reloader.js";
import type { GatewayConfig, TerminalConfig } from "./config/schema.js";
import { SerialDevices } from "./devices/serial-device.js";
import { type OpenPort, openSerialPort } from "./devices/serial-link.js";
import type { TerminalEvent } from "./devices/terminal-event.js";
import { EventBus } from "./events.js";
import { HttpServer } from "./http-server.js";
import { LiveHub } from "./live/hub.js";
import { childLogger, createLogger, type Logger } from "./log.js";
import { Metrics } from "./metrics.js";
import { EmbeddedBroker } from "./mqtt/broker.js";
import { DeviceMessageHandler } from "./mqtt/device-messages.js";
import { ExternalBroker } from "./mqtt/external-broker.js";
import { DoorOpener } from "./outputs/doors.js";
import { EventTopicPublisher } from "./outputs/event-topics.js";
import { birthTopic, haTopics } from "./outputs/home-assistant/discovery.js";
import { HomeAssistantPublisher } from "./outputs/home-assistant/publisher.js";
import { BackupJob } from "./pipeline/backup-job.js";
import { SummaryReportJob } from "./pipeline/daily-summary.js";
import { DeviceRegistry } from "./pipeline/devices.js";
import { Ingest } from "./pipeline/ingest.js";
import { Recorder } from "./pipeline/recorder.js";
import { RetentionJob } from "./pipeline/retention.js";
import { Store } from "./store/store.js";
import { HikvisionGapFill } from "./terminals/gap-fill.js";
import { submit as submitTerminalEvent } from "./terminals/ingest-router.js";
import { TerminalPresence } from "./terminals/presence.js";
import { UpstreamForwarder, upstreamLink } from "./upstream/forwarder.js";
import { queueUpstream } from "./upstream/queue.js";
import { PRIORITY } from "./upstream/routes.js";

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

/** A part of the gateway with a life: started in order, stopped in reverse (STYLE 1). */
interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Where devices' MQTT messages come from: the embedded aedes or an external broker (SPEC 4). */
type DeviceBroker = EmbeddedBroker | ExternalBroker;

/**
 * The composition root: builds every component from the config into one ordered list, starts
 * them in that order and stops them in reverse. It decides nothing itself: each component owns
 * its behaviour (the write path in pipeline/, the outbox's routing in upstream/, the first
 * admin in auth/).
 */
export class Gateway {
  readonly bus: EventBus;
  readonly metrics = new Metrics();
  readonly devices: DeviceRegistry;
  readonly log: Logger;
  private storeInstance: Store | undefined;
  private ingestInstance: Ingest | undefined;
  private broker: DeviceBroker | undefined;
  private http: HttpServer | undefined;
  private reloader: ConfigReloader | undefined;
  /** The daily backup, when `backup.dir` is set (its last file and failure are in health). */
  backups: BackupJob | undefined;
  private readonly started: Component[] = [];
  private readonly startedAtMs = Date.now();

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = options.log ?? createLogger(config.log_level);
    this.devices = new DeviceRegistry(config);
    const busLog = childLogger(this.log, "bus");
    this.bus = new EventBus((listener, event, error) => {
      this.metrics.listenerErrors.inc({ listener });
      busLog.error(
        { err: error, listener, event: event.kind, seq: event.seq },
        `bus listener '${listener}' failed on event ${event.seq}; the others carry on`,
      );
    });
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
    const store = Store.open(this.config.database.path, this.config.gateway_id);
    this.storeInstance = store;
    this.metrics.storeWritable = () => store.writeHealth().ok;
    this.started.push({ name: "store", start: () => {}, stop: () => store.close() });
    for (const component of this.compose(store)) {
      try {
        await component.start();
      } catch (error) {
        throw new Error(`${component.name}: ${(error as Error).message}`, { cause: error });
      }
      this.started.push(component);
    }
    // Only a gateway that started gets its first admin: a start that fails (a busy port) must
    // not make an account and print its password into the error, then never again.
    await ensureFirstAdmin(
      store,
      this.config.admin_password,
      this.options.announce ?? ((line) => process.stdout.write(`${line}\n`)),
      this.log,
    );
    this.log.info(
      {
        http: this.httpPort,
        mqtt: this.mqttPort,
        db: this.config.database.path,
        devices: this.config.devices.length,
      },
      `gateway ${this.config.gateway_id} started`,
    );
  }

  /** Reads the config again and takes on what it can at once (see config/reloader.ts). */
  reloadConfig(actor: string, address: string | null = null): ReloadOutcome {
    if (!this.reloader) throw new Error("gateway not started");
    return this.reloader.reload(actor, address);
  }

  /** The config in force, with the live settings reloaded since the start. */
  get currentConfig(): GatewayConfig {
    return this.reloader?.config ?? this.config;
  }

  /** Stops every started component in reverse order; safe to call more than once. */
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

  /** Every component, in start order: each one after those it relies on. */
  private compose(store: Store): Component[] {
    const { config, bus, metrics, devices, log } = this;
    const upstreamConfig = config.upstream;
    const recorder = new Recorder({
      store,
      devices,
      pairingWindowMs: config.pairing_window_s * 1000,
      alerts: config.alerts,
    });
    const ingest = new Ingest({
      store,
      recorder,
      bus,
      devices,
      metrics,
      log: childLogger(log, "ingest"),
      maxBatch: config.ingest.max_batch,
      commitDelayMs: config.ingest.commit_delay_ms,
      inTransaction: upstreamConfig
        ? [queueUpstream(store.outbox, upstreamConfig.forward_readings)]
        : [],
    });
    this.ingestInstance = ingest;
    const forwarder = upstreamConfig
      ? new UpstreamForwarder({
          config: upstreamConfig,
          link: upstreamLink(upstreamConfig, config.gateway_id, config.site.id),
          store,
          bus,
          metrics,
          log: childLogger(log, "upstream"),
          raiseAlert: (alert) => ingest.submitAlert(alert),
        })
      : undefined;
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
      maxReplayKiosk: config.live.max_replay_kiosk,
      maxKiosks: config.live.max_kiosk_clients,
      maxKiosksPerAddress: config.live.max_kiosk_clients_per_address,
      allowedOrigins: config.http.allowed_origins,
      screen: config.kiosk,
    });
    const handler = new DeviceMessageHandler({
      devices,
      ingest,
      metrics,
      log: childLogger(log, "mqtt"),
      maxClockSkewMs: config.ingest.max_clock_skew_s * 1000,
    });
    const terminalConfigs = config.devices.filter(
      (device): device is TerminalConfig => device.transport === "http",
    );
    const presence = new TerminalPresence({
      terminals: terminalConfigs,
      setOnline: (deviceId, online, reason) => ingest.setDeviceOnline(deviceId, online, reason),
    });
    const searchable = terminalConfigs.filter(
      (t) => t.protocol === "hikvision-isapi" && t.isapi_url !== undefined,
    );
    const timeOf = (deviceId: string, ts: number | undefined) => handler.timeOf(deviceId, ts);
    const gapFill =
      searchable.length > 0
        ? new HikvisionGapFill({
            terminals: searchable,
            submit: (deviceId, event) => submitTerminalEvent({ ingest, timeOf }, deviceId, event),
            log: childLogger(log, "terminals"),
          })
        : undefined;
    const logins = new AccountLogin(store);
    // Made after the broker it publishes on; the broker hands it Home Assistant's birth message.
    let homeAssistant: HomeAssistantPublisher | undefined;
    const broker: DeviceBroker =
      config.mqtt.mode === "external"
        ? new ExternalBroker({
            config: { ...config.mqtt, url: config.mqtt.url as string },
            gatewayId: config.gateway_id,
            connections: config.mqtt.connections,
            sessions: store.brokerSessions,
            devices,
            handler,
            metrics,
            log: childLogger(log, "mqtt"),
            ...(config.home_assistant.enabled
              ? {
                  alsoSubscribe: [birthTopic(config.home_assistant.discovery_prefix)],
                  heard: (topic: string, payload: string) =>
                    homeAssistant?.heard(topic, payload) ?? false,
                }
              : {}),
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
            ...(config.home_assistant.enabled
              ? {
                  integrationTopics: {
                    readable: [
                      `${config.home_assistant.discovery_prefix}/`,
                      `${haTopics(config.gateway_id).base}/`,
                    ],
                    heard: (topic: string, payload: string) =>
                      homeAssistant?.heard(topic, payload) ?? false,
                  },
                }
              : {}),
            limits: {
              beforeLoginBytes: config.mqtt.max_packet_before_login_kb * 1024,
              afterLoginBytes: config.mqtt.max_packet_kb * 1024,
              perAddress: config.mqtt.max_connections_per_address,
              unauthenticated: config.mqtt.max_unauthenticated,
            },
          });
    this.broker = broker;
    homeAssistant = config.home_assistant.enabled
      ? new HomeAssistantPublisher({
          site: {
            gatewayId: config.gateway_id,
            discoveryPrefix: config.home_assistant.discovery_prefix,
            version: gatewayVersion(),
            checkpoints: config.checkpoints,
            devices: config.devices,
          },
          timeZone: config.site.timezone,
          bus,
          store,
          publish: (topic, payload, retain) => broker.publish(topic, payload, retain),
          log: childLogger(log, "home-assistant"),
        })
      : undefined;
    const eventTopics = new EventTopicPublisher({
      bus,
      gatewayId: config.gateway_id,
      publish: (topic, payload) => broker.publishLive(topic, payload),
      hasListeners: () => broker.hasIntegrations,
    });
    const backups =
      config.backup.dir === undefined
        ? undefined
        : new BackupJob({
            store,
            log: childLogger(log, "backup"),
            dir: config.backup.dir,
            keep: config.backup.keep,
            atHour: config.backup.at_hour,
            timeZone: config.site.timezone,
          });
    this.backups = backups;
    const retention = new RetentionJob({
      store,
      log: childLogger(log, "retention"),
      retentionDays: config.retention_days,
      timeZone: config.site.timezone,
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
    const summaries = upstreamConfig
      ? new SummaryReportJob({
          store,
          log: childLogger(log, "summary"),
          checkpoints: config.checkpoints,
          gatewayId: config.gateway_id,
          siteId: config.site.id,
          timeZone: config.site.timezone,
          priority: PRIORITY.summary,
        })
      : undefined;
    const doors = new DoorOpener({
      bus,
      devices,
      log: childLogger(log, "doors"),
      publish: (topic, payload) => broker.publish(topic, payload),
    });
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
      backup: () =>
        this.backups ? { last: this.backups.last, error: this.backups.lastError } : null,
      startedAtMs: this.startedAtMs,
      bodyLimit: config.http.body_limit,
      sessionTtlMs: config.session_ttl_h * 3600_000,
      ingest,
      logins,
      configView: () => this.currentConfig,
      reloadConfig: (actor, address) => this.reloadConfig(actor, address),
      configFile: this.options.loadConfig !== undefined,
      ...(terminalConfigs.length > 0
        ? {
            terminals: {
              devices,
              ingest,
              presence,
              timeOf,
              picturesDir: join(dirname(config.database.path), "pictures"),
              metrics,
              log: childLogger(log, "terminals"),
              ...(gapFill
                ? {
                    delivered: (deviceId: string, events: readonly TerminalEvent[]) =>
                      gapFill.delivered(deviceId, events),
                  }
                : {}),
            },
          }
        : {}),
    });
    const http = new HttpServer(
      app,
      live,
      config.http.host,
      config.http.port,
      childLogger(log, "http"),
    );
    this.http = http;
    const serial = new SerialDevices(config.devices, {
      ingest,
      devices,
      metrics,
      log: childLogger(log, "serial"),
      openPort: this.options.openPort ?? openSerialPort,
    });
    // Listeners first, then what feeds them; stopping runs backwards, so devices go quiet and
    // the write path commits what is queued before anything that listens goes away.
    return [
      { name: "logins", start: () => logins.start(), stop: () => logins.stop() },
      { name: "live", start: () => live.start(), stop: () => live.stop() },
      { name: "event topics", start: () => eventTopics.start(), stop: () => eventTopics.stop() },
      { name: "doors", start: () => doors.start(), stop: () => doors.stop() },
      ...(forwarder
        ? [{ name: "upstream", start: () => forwarder.start(), stop: () => forwarder.stop() }]
        : []),
      { name: "ingest", start: () => ingest.start(), stop: () => ingest.stop() },
      { name: "mqtt broker", start: () => broker.start(), stop: () => broker.stop() },
      ...(terminalConfigs.length > 0
        ? [
            {
              name: "terminals",
              start: () => presence.start(),
              stop: async () => {
                presence.stop();
                await gapFill?.settled();
              },
            },
          ]
        : []),
      ...(homeAssistant
        ? [
            {
              name: "home assistant",
              start: () => homeAssistant.start(),
              stop: () => homeAssistant.stop(),
            },
          ]
        : []),
      { name: "retention", start: () => retention.start(), stop: () => retention.stop() },
      ...(backups
        ? [{ name: "daily backup", start: () => backups.start(), stop: () => backups.stop() }]
        : []),
      ...(summaries
        ? [{ name: "summary-report", start: () => summaries.start(), stop: () => summaries.stop() }]
        : []),
      { name: "http", start: () => http.start(), stop: () => http.stop() },
      { name: "serial devices", start: () => serial.start(), stop: () => serial.stop() },
    ];
  }
}
