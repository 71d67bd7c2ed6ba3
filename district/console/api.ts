import { type Request, type Response, Router } from "express";
import type pg from "pg";
import { z } from "zod";
import { cursorParam, instant, pageLimit } from "../../common/query-filters.js";
import { alertsPage, parseAlertCursor } from "../store/alerts.js";
import { gatewaysOverview } from "../store/reports.js";
import { districtDay } from "../store/summaries.js";

/** Reads a request's query with `schema`; a bad one is answered 400 naming each field. */
export function queryOf<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
): z.output<S> | undefined {
  const result = schema.safeParse(req.query);
  if (result.success) return result.data;
  res.status(400).json({
    error: result.error.issues
      .map((issue) => `${["query", ...issue.path].join(".")}: ${issue.message}`)
      .join("; "),
  });
  return undefined;
}

const name = z.string().min(1).max(200);

/** The alerts' filters (docs/contract.md#the-district-centre); the CSV export takes them too. */
export const alertFilters = z.object({
  site: name.optional(),
  kind: name.optional(),
  state: z.enum(["open", "acknowledged", "resolved"]).optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const alertsQuery = alertFilters.extend({
  limit: pageLimit,
  cursor: cursorParam(parseAlertCursor).optional(),
});

/** A calendar date that exists (zod's ISO date knows month lengths and leap years). */
export const calendarDate = z.iso.date("must be a date YYYY-MM-DD");

const summaryQuery = z.object({ date: calendarDate });

/**
 * `GET /api/district/gateways`, `/alerts`, `/summary?date=` (docs/contract.md#the-district-centre),
 * for any logged-in account, by token or by the console's cookie.
 */
export function districtApiRouter(pool: pg.Pool): Router {
  const router = Router();
  router.get("/gateways", async (_req, res) => {
    res.json(await gatewaysOverview(pool));
  });
  router.get("/alerts", async (req, res) => {
    const query = queryOf(alertsQuery, req, res);
    if (!query) return;
    const { limit, cursor, from, to, ...filters } = query;
    res.json(await alertsPage(pool, { ...filters, fromMs: from, toMs: to }, cursor, limit));
  });
  router.get("/summary", async (req, res) => {
    const query = queryOf(summaryQuery, req, res);
    if (!query) return;
    res.json(await districtDay(pool, query.date));
  });
  return router;
}
