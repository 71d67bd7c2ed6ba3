import type { Logger } from "../../common/log.js";
import { dayBounds, localDate, nextDate, startOfDayMs } from "../../common/time.js";
import type { DaySummary } from "../domain/types.js";
import type { Store } from "../store/store.js";
import { emptySummary, hoursOf } from "../store/summary.js";
import { DailyJob, type DailyJobTiming } from "./daily-job.js";

/**
 * One local day at every checkpoint (docs/contract.md#http-api `GET /api/summary/daily`, and the upstream kind
 * `summary`): passages, allowed, denied by reason, fevers and lows, in total and per hour, and
 * each device's downtime. Every configured checkpoint is listed, with zeros if it saw nobody.
 */
export function summarizeDay(
  store: Store,
  checkpoints: readonly { id: string; name: string }[],
  date: string,
  timeZone: string,
  nowMs: number,
): DaySummary {
  const [fromMs, toMs] = dayBounds(date, timeZone);
  const counts = new Map(store.dailySummary(date, timeZone).map((c) => [c.checkpoint_id, c]));
  const downtime = store.devicesDowntime(fromMs, Math.max(fromMs, Math.min(toMs, nowMs)));
  const ids = new Set([...checkpoints.map((c) => c.id), ...counts.keys(), ...downtime.keys()]);
  return {
    date,
    timezone: timeZone,
    checkpoints: [...ids].map((id) => ({
      ...(counts.get(id) ?? emptySummary(id, hoursOf(fromMs, toMs))),
      name: checkpoints.find((c) => c.id === id)?.name ?? id,
      devices: (downtime.get(id) ?? []).map((d) => ({
        device_id: d.device_id,
        downtime_s: Math.round(d.offline_ms / 1000),
        outages: d.outages,
      })),
    })),
  };
}

export interface SummaryReportContext extends DailyJobTiming {
  store: Store;
  log: Logger;
  checkpoints: readonly { id: string; name: string }[];
  gatewayId: string;
  siteId: string;
  /** The outbox lane (upstream/routes.ts). */
  priority: number;
}

/** Days a gateway that was down catches up on; older days are in the admin pages. */
const CATCH_UP_DAYS = 7;

/**
 * Sends each finished day's summary upstream once (docs/contract.md#upstream-the-district kind `summary`, issue 6): after local
 * midnight, yesterday's; after downtime, every day missed, up to a week back. Queued through
 * the outbox like every event, so an unreachable district gets it when it returns.
 */
export class SummaryReportJob extends DailyJob {
  constructor(private readonly ctx: SummaryReportContext) {
    super(ctx);
  }

  run(nowMs: number): void {
    const { store, timeZone } = this.ctx;
    const yesterday = localDate(startOfDayMs(nowMs, timeZone) - 1, timeZone);
    const weekBack = localDate(
      startOfDayMs(nowMs, timeZone) - CATCH_UP_DAYS * 86_400_000,
      timeZone,
    );
    const last = store.lastReportedSummary();
    let date = last === null ? yesterday : nextDate(last, timeZone);
    if (date < weekBack) date = weekBack;
    for (; date <= yesterday; date = nextDate(date, timeZone)) {
      if (store.summaryReported(date)) continue;
      const summary = summarizeDay(store, this.ctx.checkpoints, date, timeZone, nowMs);
      store.queueSummary(date, this.ctx.priority, nowMs, (id, seq) => ({
        id,
        seq,
        gateway_id: this.ctx.gatewayId,
        site_id: this.ctx.siteId,
        ...summary,
      }));
      this.ctx.log.info({ date }, "daily summary queued upstream");
    }
  }

  protected failed(error: Error): void {
    this.ctx.log.error(
      { err: error.message },
      "daily summary for upstream failed; it will be tried again",
    );
  }
}
