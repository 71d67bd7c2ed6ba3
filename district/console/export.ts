import { once } from "node:events";
import { Router } from "express";
import type pg from "pg";
import { BOM, csvLine, localTime } from "../../common/csv.js";
import { type Logger, messageOf } from "../../common/log.js";
import { localDate } from "../../common/time.js";
import type { DistrictAudit } from "../store/audit.js";
import { passagesOfDay } from "../store/reports.js";
import { signedIn } from "./session.js";

const HEADER = [
  "编号 id",
  "时间 time",
  "站点 site",
  "站点编号 site id",
  "网关 gateway",
  "检查点 checkpoint",
  "体温 temp_c",
  "结果 decision",
  "原因 reasons",
];

/**
 * `GET /export/passages.csv?date=&site=`: a day's passages for Excel, page by page, waiting
 * for the client to take each, so memory stays flat whatever the day; each export audited.
 */
export function exportRouter(
  pool: pg.Pool,
  audit: DistrictAudit,
  timeZone: string,
  log: Logger,
): Router {
  const router = Router();
  router.get("/passages.csv", async (req, res) => {
    const site = typeof req.query.site === "string" && req.query.site ? req.query.site : null;
    const date =
      typeof req.query.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(req.query.date)
        ? req.query.date
        : localDate(Date.now(), timeZone);
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="district-passages-${date}.csv"`);
    res.write(BOM + csvLine(HEADER));
    let rows = 0;
    try {
      for await (const page of passagesOfDay(pool, date, timeZone, site)) {
        const text = page
          .map((r) =>
            csvLine([
              r.id,
              localTime(r.ts.getTime(), timeZone),
              r.site_name,
              r.site_id,
              r.gateway_id,
              r.checkpoint_id ?? "",
              r.temp_c ?? "",
              r.decision === "allow" ? "放行" : "拒绝",
              r.reasons ?? "",
            ]),
          )
          .join("");
        rows += page.length;
        if (!res.write(text)) await once(res, "drain");
        if (res.destroyed) break;
      }
      await audit.record(signedIn(res)?.username ?? "unknown", "export", {
        file: "passages.csv",
        date,
        site,
        rows,
        ...(res.destroyed ? { incomplete: true } : {}),
      });
      res.end();
    } catch (error) {
      // The header is out: all that can be said is to cut the download short.
      log.error({ err: messageOf(error), rows }, "district export failed midway");
      res.destroy();
    }
  });
  return router;
}
