import { type RequestHandler, Router } from "express";
import type pg from "pg";
import { dayBounds, localDate } from "../../common/time.js";
import { dailyReport, gatewaysOverview, openFevers, siteCounts } from "../store/reports.js";

/**
 * `GET /overview` (every site and gateway, open fevers, today's counts) and `GET /report?date=`,
 * for any logged-in account (`member`).
 */
export function reportsRouter(pool: pg.Pool, timeZone: string, member: RequestHandler): Router {
  const router = Router();
  router.get("/overview", member, async (_req, res) => {
    const [start, end] = dayBounds(localDate(Date.now(), timeZone), timeZone);
    const [gateways, fevers, today] = await Promise.all([
      gatewaysOverview(pool),
      openFevers(pool),
      siteCounts(pool, start, end),
    ]);
    res.json({ gateways, fevers, today });
  });
  router.get("/report", member, async (req, res) => {
    const date = String(req.query.date ?? "");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      res.status(400).json({ error: "日期应为 YYYY-MM-DD / date must be YYYY-MM-DD" });
      return;
    }
    res.json(await dailyReport(pool, date, timeZone));
  });
  return router;
}
