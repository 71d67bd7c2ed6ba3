import { once } from "node:events";
import { type Response, Router } from "express";
import type pg from "pg";
import { z } from "zod";
import { BOM, csvLine, localTime } from "../../common/csv.js";
import { type Logger, messageOf } from "../../common/log.js";
import { localDate } from "../../common/time.js";
import { alertPages } from "../store/alerts.js";
import type { DistrictAudit } from "../store/audit.js";
import { passagesOfDay } from "../store/reports.js";
import { alertFilters, calendarDate, queryOf } from "./api.js";
import { signedIn } from "./session.js";

const PASSAGE_HEADER = [
  "编号 id",
  "时间 time",
  "站点 site",
  "站点编号 site id",
  "网关 gateway",
  "检查点 checkpoint",
  "检查点编号 checkpoint id",
  "体温 temp_c",
  "结果 decision",
  "原因 reasons",
];

const ALERT_HEADER = [
  "编号 id",
  "开始 opened",
  "站点 site",
  "站点编号 site id",
  "网关 gateway",
  "检查点 checkpoint",
  "检查点编号 checkpoint id",
  "类别 kind",
  "状态 state",
  "体温 temp_c",
  "复测 confirm_temp_c",
  "处置 disposition",
  "处理经过 changes",
];

const STATE_NAMES: Record<string, string> = {
  open: "待处理",
  acknowledged: "已确认",
  resolved: "已处置",
};

/**
 * Writes a CSV download page by page, waiting for the client to take each, so memory stays flat
 * whatever its size; audited with its filters and row count (and cut short if the client left).
 */
async function streamCsv<T>(
  res: Response,
  audit: DistrictAudit,
  log: Logger,
  download: { file: string; name: string; header: string[]; details: Record<string, unknown> },
  pages: AsyncGenerator<T[]>,
  line: (row: T) => string,
): Promise<void> {
  res.setHeader("Content-Type", "text/csv; charset=utf-8");
  res.setHeader("Content-Disposition", `attachment; filename="${download.name}"`);
  res.write(BOM + csvLine(download.header));
  let rows = 0;
  try {
    for await (const page of pages) {
      rows += page.length;
      if (!res.write(page.map(line).join(""))) await once(res, "drain");
      if (res.destroyed) break;
    }
    await audit.record(signedIn(res)?.username ?? "unknown", "export", {
      file: download.file,
      ...download.details,
      rows,
      ...(res.destroyed ? { incomplete: true } : {}),
    });
    res.end();
  } catch (error) {
    // The header is out: all that can be said is to cut the download short.
    log.error({ err: messageOf(error), rows }, "district export failed midway");
    res.destroy();
  }
}

/** A local date (today's when none) and a site (every site when none). */
const passagesQuery = z.object({
  date: calendarDate.optional(),
  site: z.string().max(200).optional(),
});

/**
 * `GET /export/passages.csv?date=&site=` (a local date's passages, of one site or all) and
 * `GET /export/alerts.csv` (the alerts API's filters), for Excel: names first, ids after them;
 * each export audited.
 */
export function exportRouter(
  pool: pg.Pool,
  audit: DistrictAudit,
  timeZone: string,
  log: Logger,
): Router {
  const router = Router();
  router.get("/passages.csv", async (req, res) => {
    const query = queryOf(passagesQuery, req, res);
    if (!query) return;
    const site = query.site || null;
    const date = query.date ?? localDate(Date.now(), timeZone);
    await streamCsv(
      res,
      audit,
      log,
      {
        file: "passages.csv",
        name: `district-passages-${date}.csv`,
        header: PASSAGE_HEADER,
        details: { date, site },
      },
      passagesOfDay(pool, date, timeZone, site),
      (r) =>
        csvLine([
          r.id,
          localTime(r.ts.getTime(), timeZone),
          r.site_name,
          r.site_id,
          r.gateway_id,
          r.checkpoint_name ?? r.checkpoint_id ?? "",
          r.checkpoint_id ?? "",
          r.temp_c ?? "",
          r.decision === "allow" ? "放行" : "拒绝",
          r.reasons ?? "",
        ]),
    );
  });
  router.get("/alerts.csv", async (req, res) => {
    const query = queryOf(alertFilters, req, res);
    if (!query) return;
    const { from, to, ...filters } = query;
    const when = (iso: string | null) => (iso ? localTime(Date.parse(iso), timeZone) : "");
    await streamCsv(
      res,
      audit,
      log,
      {
        file: "alerts.csv",
        name: `district-alerts-${localDate(Date.now(), timeZone)}.csv`,
        header: ALERT_HEADER,
        details: { ...query },
      },
      alertPages(pool, { ...filters, fromMs: from, toMs: to }),
      (a) =>
        csvLine([
          a.id,
          when(a.opened_at),
          a.site_name,
          a.site_id,
          a.gateway_id,
          a.checkpoint_name ?? a.checkpoint_id ?? "",
          a.checkpoint_id ?? "",
          a.kind,
          STATE_NAMES[a.state] ?? a.state,
          a.temp_c ?? "",
          a.confirm_temp_c ?? "",
          a.disposition ?? "",
          a.changes.map((c) => `${when(c.ts)} ${STATE_NAMES[c.state] ?? c.state}`).join("; "),
        ]),
    );
  });
  return router;
}
