import { Router } from "express";
import { z } from "zod";
import type { Store } from "../store/store.js";
import { pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

const passageQuery = pageFilters.extend({ decision: z.enum(["allow", "deny"]).optional() });

/** `GET /api/passages` (SPEC 7): newest first, filtered, paged. */
export function passagesRouter(store: Store): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const query = parseWith(passageQuery, req.query, "query");
    res.json(
      store.passages.page({
        checkpoint: query.checkpoint,
        pass_id: query.pass_id,
        decision: query.decision,
        fromMs: query.from,
        toMs: query.to,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
  });
  return router;
}
