import type { Logger } from "../../common/log.js";
import { startOfDayMs } from "../../common/time.js";
import { DailyJob, type DailyJobTiming } from "../pipeline/daily-job.js";
import type { PictureStore } from "./pictures.js";

export interface PictureRetentionContext extends DailyJobTiming {
  pictures: PictureStore;
  log: Logger;
  retentionDays: number;
}

/**
 * Kept pictures deleted after `retention_days`, at the cutoff the events' retention uses
 * (pipeline/retention.ts), at start and then once a day: a face is personal data like the rest.
 */
export class PictureRetention extends DailyJob {
  constructor(private readonly ctx: PictureRetentionContext) {
    super(ctx);
  }

  run(nowMs: number): void {
    const cutoffMs = startOfDayMs(nowMs - this.ctx.retentionDays * 86_400_000, this.ctx.timeZone);
    const deleted = this.ctx.pictures.sweep(cutoffMs);
    if (deleted > 0)
      this.ctx.log.info(
        { cutoff: new Date(cutoffMs).toISOString(), deleted },
        `retention: ${deleted} picture(s) written before the cutoff deleted`,
      );
  }

  protected failed(error: Error): void {
    this.ctx.log.error({ err: error.message }, "picture retention failed; it will be tried again");
  }
}
