import { Router } from "express";
import { z } from "zod";
import { READING_STATUSES } from "../domain/types.js";
import type { Store } from "../store/store.js";
import { logFilter, pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

const readingQuery = pageFilters.extend({
  status: z.enum(READING_STATUSES).optional(),
});

/** `GET /api/readings` (docs/contract.md#http-api): newest first, filtered, paged. */
export function readingsRouter(store: Store): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const query = parseWith(readingQuery, req.query, "query");
    res.json(store.readings.page(logFilter(query)));
  });
  return router;
}
