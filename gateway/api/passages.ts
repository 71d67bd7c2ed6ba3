import { Router } from "express";
import { z } from "zod";
import { PASSAGE_REASONS } from "../domain/types.js";
import type { Store } from "../store/store.js";
import { HttpError } from "./errors.js";
import { logFilter, pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

const passageQuery = pageFilters.extend({
  decision: z.enum(["allow", "deny"]).optional(),
  reason: z.enum(PASSAGE_REASONS).optional(),
});

/** `GET /api/passages` (docs/contract.md#http-api): newest first, filtered, paged. */
export function passagesRouter(store: Store): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const query = parseWith(passageQuery, req.query, "query");
    res.json(store.passages.page(logFilter(query)));
  });
  // A passage with what it was decided from: its reading, its scan, its alerts and their changes.
  router.get("/:passageId", (req, res) => {
    const seq = seqOf(req.params.passageId);
    const passage = seq === null ? undefined : store.passages.get(seq);
    if (!passage) throw new HttpError(404, `no passage ${req.params.passageId}`);
    const reading =
      passage.reading_id === null
        ? null
        : (store.readings.get(seqOf(passage.reading_id) ?? -1) ?? null);
    const scan =
      passage.scan_id === null ? null : (store.scans.get(seqOf(passage.scan_id) ?? -1) ?? null);
    const alerts = store.alerts
      .forPassage(passage.id, passage.reading_id)
      .map((alert) => ({ ...alert, history: store.alerts.history(alert.id) }));
    res.json({ passage, reading, scan, alerts });
  });
  return router;
}

/** The seq of an event id `<gateway_id>:<seq>` (or a bare seq), or null. */
function seqOf(id: string): number | null {
  const match = /^(?:[^:]+:)?(\d{1,15})$/.exec(id);
  return match ? Number(match[1]) : null;
}
