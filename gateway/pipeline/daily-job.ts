import { localDate } from "../../common/time.js";

export interface DailyJobTiming {
  timeZone: string;
  /** The clock; tests inject one. */
  now?: () => number;
  /** How often to check whether a run is due (it runs once per local day). */
  checkEveryMs?: number;
}

/**
 * A job that runs at start and then once per local day of the site. A run that throws is tried
 * again at the next check, so a day is never skipped because of one bad moment.
 */
export abstract class DailyJob {
  private timer: NodeJS.Timeout | undefined;
  private lastRunDay = "";
  protected readonly now: () => number;

  constructor(protected readonly timing: DailyJobTiming) {
    this.now = timing.now ?? Date.now;
  }

  start(): void {
    this.runIfDue();
    this.timer = setInterval(() => this.runIfDue(), this.timing.checkEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  runIfDue(): void {
    const nowMs = this.now();
    const today = localDate(nowMs, this.timing.timeZone);
    if (today === this.lastRunDay) return;
    this.lastRunDay = today;
    try {
      this.run(nowMs);
    } catch (error) {
      this.failed(error instanceof Error ? error : new Error(String(error)));
      this.lastRunDay = "";
    }
  }

  /** The day's work. */
  abstract run(nowMs: number): void;

  /** Says what went wrong; the run is tried again at the next check. */
  protected abstract failed(error: Error): void;
}
