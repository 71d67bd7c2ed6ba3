import type { Logger } from "../../common/log.js";
import { startOfDayMs } from "../../common/time.js";
import type { Store } from "../store/store.js";
import { DailyJob, type DailyJobTiming } from "./daily-job.js";

export interface RetentionContext extends DailyJobTiming {
  store: Store;
  log: Logger;
  retentionDays: number;
}

/**
 * Deletes personal data (readings, scans, passages, resolved alerts) older than
 * `retention_days`, at start and then once a day, keeping each day's counts (docs/contract.md#configuration). Each run
 * is in the audit log.
 */
export class RetentionJob extends DailyJob {
  private retentionDays: number;

  constructor(private readonly ctx: RetentionContext) {
    super(ctx);
    this.retentionDays = ctx.retentionDays;
  }

  /** A reloaded `retention_days`: the next daily run keeps that many days. */
  setRetentionDays(days: number): void {
    this.retentionDays = days;
  }

  run(nowMs: number): void {
    const { store, timeZone } = this.ctx;
    const { retentionDays } = this;
    const cutoffMs = startOfDayMs(nowMs - retentionDays * 86_400_000, timeZone);
    const result = store.applyRetention(cutoffMs, timeZone);
    const details = { cutoff: new Date(cutoffMs).toISOString(), ...result };
    store.audit.record({ actor: "system", action: "retention", details }, nowMs);
    this.ctx.log.info(
      details,
      "retention: personal data before the cutoff deleted, daily counts kept",
    );
  }

  protected failed(error: Error): void {
    this.ctx.log.error({ err: error.message }, "retention run failed; it will be tried again");
  }
}
