import type { CheckpointConfig, DeviceConfig, GatewayConfig } from "../config/schema.js";
import type { ScreeningRules } from "../domain/screening.js";

export interface DeviceHealth {
  id: string;
  kind: DeviceConfig["kind"];
  checkpoint_id: string;
  transport: DeviceConfig["transport"];
  online: boolean;
  last_seen: string | null;
  /** How far off the device's clock was at its last message that had to be corrected, or null. */
  clock_skew_s: number | null;
}

interface DeviceState {
  config: DeviceConfig;
  rules: ScreeningRules;
  online: boolean;
  lastSeenMs: number | null;
  clockSkewMs: number | null;
}

/** The configured devices and checkpoints, and what is known of each device's liveness. */
export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();
  private readonly checkpoints = new Map<string, CheckpointConfig>();

  /** The site's screening rules, before any checkpoint's own. */
  siteScreening: GatewayConfig["screening"];

  constructor(config: GatewayConfig) {
    this.siteScreening = config.screening;
    for (const checkpoint of config.checkpoints) this.checkpoints.set(checkpoint.id, checkpoint);
    for (const device of config.devices)
      this.devices.set(device.id, {
        config: device,
        rules: this.rulesFor(device),
        online: false,
        lastSeenMs: null,
        clockSkewMs: null,
      });
  }

  /**
   * Takes on the screening rules of a reloaded config (site and per checkpoint) for every
   * known device and checkpoint; the next reading is judged by them.
   */
  applyScreening(config: GatewayConfig): void {
    this.siteScreening = config.screening;
    for (const next of config.checkpoints) {
      const current = this.checkpoints.get(next.id);
      if (current) this.checkpoints.set(next.id, { ...current, screening: next.screening });
    }
    for (const state of this.devices.values()) state.rules = this.rulesFor(state.config);
  }

  private rulesFor(device: DeviceConfig): ScreeningRules {
    return this.checkpointRules(device.checkpoint);
  }

  /** The screening rules in force at a checkpoint (the site's, overridden by its own). */
  checkpointRules(checkpointId: string | null): ScreeningRules {
    const screening = {
      ...this.siteScreening,
      ...(checkpointId === null ? undefined : this.checkpoints.get(checkpointId)?.screening),
    };
    return {
      feverAboveC: screening.fever_above_c,
      comparator: screening.comparator,
      lowBelowC: screening.low_below_c,
      invalidBelowC: screening.invalid_below_c,
      invalidAboveC: screening.invalid_above_c,
    };
  }

  device(id: string): DeviceConfig | undefined {
    return this.devices.get(id)?.config;
  }

  checkpoint(id: string): CheckpointConfig | undefined {
    return this.checkpoints.get(id);
  }

  allCheckpoints(): CheckpointConfig[] {
    return [...this.checkpoints.values()];
  }

  /** The screening rules in force for a device: the site's, overridden by its checkpoint's. */
  rules(id: string): ScreeningRules | undefined {
    return this.devices.get(id)?.rules;
  }

  markSeen(id: string, tsMs: number): void {
    const state = this.devices.get(id);
    if (state) state.lastSeenMs = tsMs;
  }

  /**
   * Records how far off the device's clock is (null: its time was usable); true when this is
   * news (the device was fine before), so the caller says so once, not at every message.
   */
  setClockSkew(id: string, skewMs: number | null): boolean {
    const state = this.devices.get(id);
    if (!state) return false;
    const wasFine = state.clockSkewMs === null;
    state.clockSkewMs = skewMs;
    return wasFine && skewMs !== null;
  }

  isOnline(id: string): boolean {
    return this.devices.get(id)?.online ?? false;
  }

  /** Records the device's liveness; true when this is a change worth an event. */
  setOnline(id: string, online: boolean): boolean {
    const state = this.devices.get(id);
    if (!state || state.online === online) return false;
    state.online = online;
    return true;
  }

  health(): DeviceHealth[] {
    return [...this.devices.values()].map((state) => ({
      id: state.config.id,
      kind: state.config.kind,
      checkpoint_id: state.config.checkpoint,
      transport: state.config.transport,
      online: state.online,
      last_seen: state.lastSeenMs === null ? null : new Date(state.lastSeenMs).toISOString(),
      clock_skew_s: state.clockSkewMs === null ? null : Math.round(state.clockSkewMs / 1000),
    }));
  }
}
