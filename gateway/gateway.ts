import type { Logger } from "../common/log.js";
import { httpComponent } from "./api/component.js";
import { loginsComponent } from "./auth/component.js";
import { ensureFirstAdmin } from "./auth/first-admin.js";
import type { ReloadOutcome } from "./config/reloader.js";
import type { GatewayConfig } from "./config/schema.js";
import {
  type Component,
  type ComponentFactory,
  type Core,
  createBaseCore,
  createCore,
  type GatewayOptions,
} from "./core.js";
import { serialComponent } from "./devices/component.js";
import type { EventBus } from "./events.js";
import { liveComponent } from "./live/component.js";
import type { Metrics } from "./metrics.js";
import { brokerComponent } from "./mqtt/component.js";
import { doorsComponent, eventTopicsComponent } from "./outputs/component.js";
import { homeAssistantComponent } from "./outputs/home-assistant/component.js";
import type { BackupJob } from "./pipeline/backup-job.js";
import {
  backupComponent,
  ingestComponent,
  retentionComponent,
  summaryReportComponent,
} from "./pipeline/component.js";
import type { DeviceRegistry } from "./pipeline/devices.js";
import type { Ingest } from "./pipeline/ingest.js";
import type { Store } from "./store/store.js";
import { terminalsComponent } from "./terminals/component.js";
import { upstreamComponent } from "./upstream/component.js";

export type { GatewayOptions } from "./core.js";

/**
 * Every feature, in start order: each after those it relies on. Listeners first, then what
 * feeds them; stopping runs backwards, so devices go quiet and the write path commits what is
 * queued before anything that listens goes away. A feature decides for itself whether it runs.
 */
const FEATURES: readonly ComponentFactory[] = [
  loginsComponent,
  liveComponent,
  eventTopicsComponent,
  doorsComponent,
  upstreamComponent,
  ingestComponent,
  brokerComponent,
  terminalsComponent,
  homeAssistantComponent,
  retentionComponent,
  backupComponent,
  summaryReportComponent,
  httpComponent,
  serialComponent,
];

/**
 * The composition root (Zigbee2MQTT's `lib/controller.ts`): builds the core, then every
 * feature from it into one ordered list, starts them in that order and stops them in reverse.
 * It decides nothing itself.
 */
export class Gateway {
  private readonly base: ReturnType<typeof createBaseCore>;
  private core: Core | undefined;
  private readonly started: Component[] = [];

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions = {},
  ) {
    this.base = createBaseCore(config, options);
  }

  get log(): Logger {
    return this.base.log;
  }

  get metrics(): Metrics {
    return this.base.metrics;
  }

  get bus(): EventBus {
    return this.base.bus;
  }

  get devices(): DeviceRegistry {
    return this.base.devices;
  }

  private get running(): Core {
    if (!this.core) throw new Error("gateway not started");
    return this.core;
  }

  get store(): Store {
    return this.running.store;
  }

  get ingest(): Ingest {
    return this.running.ingest;
  }

  /** The daily backup, when `backup.dir` is set (its last file and failure are in health). */
  get backups(): BackupJob | undefined {
    return this.core?.hooks.backups;
  }

  get httpPort(): number {
    return this.core?.hooks.httpPort() ?? 0;
  }

  get mqttPort(): number {
    return this.core?.broker.port ?? 0;
  }

  async start(): Promise<void> {
    const core = createCore(this.base);
    this.core = core;
    this.started.push({ name: "store", start: () => {}, stop: () => core.store.close() });
    // Every component is built before any starts: what one registers with the core (health,
    // routes, broker topics, steps in the transaction) is in place when the others start.
    const components = FEATURES.map((feature) => feature(core)).filter(
      (component): component is Component => component !== undefined,
    );
    for (const component of components) {
      try {
        await component.start();
      } catch (error) {
        throw new Error(`${component.name}: ${error instanceof Error ? error.message : error}`, {
          cause: error,
        });
      }
      this.started.push(component);
    }
    // Only a gateway that started gets its first admin: a start that fails (a busy port) must
    // not make an account and print its password into the error, then never again.
    await ensureFirstAdmin(
      core.store,
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
    return this.running.reloader.reload(actor, address);
  }

  /** The config in force, with the live settings reloaded since the start. */
  get currentConfig(): GatewayConfig {
    return this.core?.reloader.config ?? this.config;
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
}
