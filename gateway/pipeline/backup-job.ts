import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Logger, messageOf } from "../../common/log.js";
import { localDate, wallClock } from "../../common/time.js";
import type { Store } from "../store/store.js";

export interface BackupJobContext {
  store: Store;
  log: Logger;
  dir: string;
  keep: number;
  atHour: number;
  timeZone: string;
  now?: () => number;
  checkEveryMs?: number;
}

/** `checkpoint-2026-12-01.db`: one file per local day, so a day is backed up once across restarts. */
const FILE = /^checkpoint-(\d{4}-\d{2}-\d{2})\.db$/;

/**
 * The daily backup (config `backup`): from `at_hour` of each local day, if that day's file is not
 * in the folder yet, a copy of the live database is written beside it and renamed into place
 * (never a half file under a day's name), and all but the newest `keep` days are deleted. A
 * backup that fails is said in one line and tried again at the next check.
 */
export class BackupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;
  /** The last backup written and the last failure, for /api/health. */
  last: { file: string; at: string } | null = null;
  lastError: string | null = null;

  constructor(private readonly ctx: BackupJobContext) {
    this.now = ctx.now ?? Date.now;
  }

  start(): void {
    mkdirSync(this.ctx.dir, { recursive: true });
    void this.runIfDue();
    this.timer = setInterval(() => void this.runIfDue(), this.ctx.checkEveryMs ?? 300_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs today's backup if it is due and not made yet; resolves when it is done. */
  runIfDue(): Promise<void> {
    if (this.running) return this.running;
    const nowMs = this.now();
    const hour = Number(wallClock(nowMs, this.ctx.timeZone).slice(11, 13));
    const today = localDate(nowMs, this.ctx.timeZone);
    if (hour < this.ctx.atHour || this.days().includes(today)) return Promise.resolve();
    this.running = this.backUp(today).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async backUp(day: string): Promise<void> {
    const file = join(this.ctx.dir, `checkpoint-${day}.db`);
    const partial = `${file}.partial`;
    try {
      rmSync(partial, { force: true });
      await this.ctx.store.backupTo(partial);
      renameSync(partial, file);
      this.last = { file, at: new Date(this.now()).toISOString() };
      this.lastError = null;
      this.ctx.log.info({ file }, `daily backup written to ${file}`);
      for (const old of this.days().slice(0, -this.ctx.keep))
        rmSync(join(this.ctx.dir, `checkpoint-${old}.db`), { force: true });
    } catch (error) {
      rmSync(partial, { force: true });
      this.lastError = messageOf(error);
      this.ctx.log.error(
        { err: this.lastError, dir: this.ctx.dir },
        `daily backup failed, tried again at the next check: ${this.lastError}`,
      );
    }
  }

  /** The days backed up in the folder, oldest first. */
  private days(): string[] {
    return readdirSync(this.ctx.dir)
      .flatMap((name) => FILE.exec(name)?.[1] ?? [])
      .sort();
  }
}
