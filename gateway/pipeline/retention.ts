import { startOfDayMs } from "../domain/time.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";

export interface RetentionContext {
  store: Store;
  log: Logger;
  retentionDays: number;
  timeZone: string;
  now?: () => number;
  /** How often to check whether a run is due (runs once per local day). */
  checkEveryMs?: number;
}

/**
 * Deletes personal data (readings, scans, passages, resolved alerts) older than
 * `retention_days`, at start and then once a day, keeping each day's counts (SPEC 9). Each run
 * is in the audit log.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private lastRunDay = "";
  private readonly now: () => number;

  constructor(private readonly ctx: RetentionContext) {
    this.now = ctx.now ?? Date.now;
  }

  start(): void {
    this.runIfDue();
    this.timer = setInterval(() => this.runIfDue(), this.ctx.checkEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  runIfDue(): void {
    const nowMs = this.now();
    const today = new Date(startOfDayMs(nowMs, this.ctx.timeZone)).toISOString();
    if (today === this.lastRunDay) return;
    this.lastRunDay = today;
    this.run(nowMs);
  }

  run(nowMs: number): void {
    const { store, timeZone, retentionDays } = this.ctx;
    const cutoffMs = startOfDayMs(nowMs - retentionDays * 86_400_000, timeZone);
    try {
      const result = store.applyRetention(cutoffMs, timeZone);
      store.audit.record(
        {
          actor: "system",
          action: "retention",
          details: { cutoff: new Date(cutoffMs).toISOString(), ...result },
        },
        nowMs,
      );
      this.ctx.log.info(
        { cutoff: new Date(cutoffMs).toISOString(), ...result },
        "retention: personal data before the cutoff deleted, daily counts kept",
      );
    } catch (error) {
      this.ctx.log.error(
        { err: (error as Error).message },
        "retention run failed; it will be tried again",
      );
      this.lastRunDay = "";
    }
  }
}
