import type { GatewayConfig } from "../config/schema.js";
import { type LowRetestRule, lowForPass, lowInARow } from "../domain/low-retest.js";
import type { AlertKind, DeviceStatus, Passage, Reading } from "../domain/types.js";
import type { EventBus } from "../events.js";
import type { StoredEvent } from "../store/journal.js";
import type { Store } from "../store/store.js";
import type { DeviceRegistry } from "./devices.js";
import type { Ingest } from "./ingest.js";

const PASS_ALERTS: readonly AlertKind[] = [
  "unknown_pass",
  "revoked_pass",
  "expired_pass",
  "observation",
];

export interface AlertDeskContext {
  bus: EventBus;
  store: Store;
  ingest: Ingest;
  devices: DeviceRegistry;
  config: GatewayConfig["alerts"];
}

/**
 * Raises alerts (SPEC 1, 2) from stored events: a fever as soon as its reading is stored, a
 * run of lows, a pass that may not pass, a device going offline; and clears `device_offline`
 * when the device is back.
 */
export class AlertDesk {
  private lowsByPass = new Map<string, readonly number[]>();
  private readonly lowsInARow = new Map<string, number>();
  private readonly rule: LowRetestRule;
  private readonly onStored = (event: StoredEvent) => this.take(event);

  constructor(private readonly ctx: AlertDeskContext) {
    this.rule = {
      windowMs: ctx.config.low_retest_window_min * 60_000,
      samePassCount: ctx.config.low_retest_same_pass,
      inARow: ctx.config.low_retest_in_a_row,
    };
  }

  start(): void {
    this.ctx.bus.on("stored", this.onStored);
  }

  stop(): void {
    this.ctx.bus.off("stored", this.onStored);
  }

  private take(event: StoredEvent): void {
    if (event.type === "reading") this.reading(event.message.data as Reading);
    else if (event.type === "passage") this.passage(event.message.data as Passage);
    else if (event.type === "device_status") this.deviceStatus(event.message.data as DeviceStatus);
  }

  private reading(reading: Reading): void {
    const base = {
      checkpoint_id: reading.checkpoint_id,
      device_id: reading.device_id,
      reading_id: reading.id,
      passage_id: null,
      pass_id: null,
      temp_c: reading.temp_c,
      ts_ms: Date.parse(reading.ts),
    };
    if (reading.status === "fever") this.ctx.ingest.submitAlert({ ...base, kind: "fever" });
    // Without passes, a run of lows at the checkpoint stands for one person re-measured.
    const checkpoint = this.ctx.devices.checkpoint(reading.checkpoint_id);
    if (checkpoint?.mode !== "temperature_only") return;
    const result = lowInARow(
      this.lowsInARow.get(reading.checkpoint_id) ?? 0,
      reading.status === "low",
      this.rule,
    );
    this.lowsInARow.set(reading.checkpoint_id, result.count);
    if (result.alert) this.ctx.ingest.submitAlert({ ...base, kind: "low_retest" });
  }

  private passage(passage: Passage): void {
    const base = {
      checkpoint_id: passage.checkpoint_id,
      device_id: null,
      reading_id: passage.reading_id,
      passage_id: passage.id,
      pass_id: passage.pass_id,
      temp_c: passage.temp_c,
      ts_ms: Date.parse(passage.ts),
    };
    for (const reason of passage.reasons) {
      if ((PASS_ALERTS as readonly string[]).includes(reason))
        this.ctx.ingest.submitAlert({ ...base, kind: reason as AlertKind });
    }
    if (passage.pass_id !== null && passage.reasons.includes("low")) {
      const result = lowForPass(this.lowsByPass, passage.pass_id, base.ts_ms, this.rule);
      this.lowsByPass = result.lows;
      if (result.alert) this.ctx.ingest.submitAlert({ ...base, kind: "low_retest" });
    }
  }

  private deviceStatus(status: DeviceStatus): void {
    const open = this.ctx.store.alerts.activeFor("device_offline", status.device_id);
    if (!status.online && open.length === 0) {
      this.ctx.ingest.submitAlert({
        kind: "device_offline",
        checkpoint_id: status.checkpoint_id,
        device_id: status.device_id,
        reading_id: null,
        passage_id: null,
        pass_id: null,
        temp_c: null,
        ts_ms: Date.parse(status.ts),
      });
    }
    if (status.online) {
      for (const alert of open) {
        this.ctx.ingest.commitNow(() =>
          this.ctx.store.alerts.resolve(alert.id, "system", Date.now(), {
            disposition: null,
            confirm_temp_c: null,
            note: "device back online",
          }),
        );
      }
    }
  }
}
