import { type Logger, messageOf } from "../../common/log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Store } from "../store/store.js";
import { configChanges, isLiveSetting } from "./changes.js";
import { ConfigError } from "./load.js";
import type { GatewayConfig } from "./schema.js";

export interface ReloadOutcome {
  outcome: "applied" | "unchanged" | "rejected";
  /** Changed settings now in force. */
  applied: string[];
  /** Changed settings that take effect only after a restart. */
  restart_required: string[];
  /** Why a rejected config was refused, one line per problem. */
  problems: string[];
}

/** Told of a reload's new config once its live settings are in force. */
export type ReloadListener = (next: GatewayConfig, change: { screeningChanged: boolean }) => void;

export interface ReloaderContext {
  /** Reads and validates the config again, as at start; throws ConfigError. */
  load: () => GatewayConfig;
  initial: GatewayConfig;
  devices: DeviceRegistry;
  store: Store;
  metrics: Metrics;
  log: Logger;
}

/**
 * Config reloads (SIGHUP, `POST /api/config/reload`): a config that does not validate is
 * refused with its problems and the running one stays; a valid one has its live settings
 * (screening, retention) applied at once and the rest reported as needing a restart. Every
 * reload is audited (`config_reload`) with the paths it changed, never their values.
 */
export class ConfigReloader {
  private current: GatewayConfig;
  private readonly listeners: ReloadListener[] = [];

  constructor(private readonly ctx: ReloaderContext) {
    this.current = ctx.initial;
  }

  /** The config in force: the one started with, plus the live settings reloaded since. */
  get config(): GatewayConfig {
    return this.current;
  }

  /** Tells `listener` of every reload that applied live settings (retention, the kiosks). */
  onApplied(listener: ReloadListener): void {
    this.listeners.push(listener);
  }

  reload(actor: string, address: string | null = null): ReloadOutcome {
    const result = this.tryReload();
    this.ctx.metrics.configReloads.inc({ outcome: result.outcome });
    const { outcome, ...details } = result;
    this.ctx.store.audit.record({
      actor,
      action: "config_reload",
      target: null,
      details: { outcome, ...details },
      address,
    });
    if (outcome === "rejected")
      this.ctx.log.error(
        { problems: result.problems },
        `config reload refused, the running config stays: ${result.problems.join("; ")}`,
      );
    else
      this.ctx.log.info(
        details,
        outcome === "unchanged"
          ? "config reloaded: nothing changed"
          : `config reloaded: ${result.applied.length} settings applied, ${result.restart_required.length} need a restart`,
      );
    return result;
  }

  private tryReload(): ReloadOutcome {
    let next: GatewayConfig;
    try {
      next = this.ctx.load();
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [messageOf(error)];
      return { outcome: "rejected", applied: [], restart_required: [], problems };
    }
    const changes = configChanges(this.current, next);
    const applied = changes.filter(isLiveSetting);
    const restart_required = changes.filter((path) => !isLiveSetting(path));
    if (applied.length > 0) {
      this.ctx.devices.applyScreening(next);
      const screeningChanged = applied.some((path) => path !== "retention_days");
      for (const listener of this.listeners) listener(next, { screeningChanged });
      const screeningOf = (id: string) => next.checkpoints.find((c) => c.id === id)?.screening;
      this.current = {
        ...this.current,
        screening: next.screening,
        retention_days: next.retention_days,
        checkpoints: this.current.checkpoints.map((c) => ({
          ...c,
          screening: next.checkpoints.some((n) => n.id === c.id) ? screeningOf(c.id) : c.screening,
        })),
      };
    }
    return {
      outcome: changes.length === 0 ? "unchanged" : "applied",
      applied,
      restart_required,
      problems: [],
    };
  }
}
