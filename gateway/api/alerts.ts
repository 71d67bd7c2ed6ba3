import { Router } from "express";
import { z } from "zod";
import { resolutionProblem } from "../domain/resolving.js";
import type { ScreeningRules } from "../domain/screening.js";
import { ALERT_KINDS, ALERT_STATES, DISPOSITIONS } from "../domain/types.js";
import type { Ingest } from "../pipeline/ingest.js";
import { AlertConflict } from "../store/alerts.js";
import type { Store } from "../store/store.js";
import { recordAction } from "./audit.js";
import { HttpError } from "./errors.js";
import { logFilter, pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

const alertQuery = pageFilters.extend({
  state: z.enum(ALERT_STATES).optional(),
  kind: z.enum(ALERT_KINDS).optional(),
});

const resolveBody = z.strictObject({
  disposition: z.enum(DISPOSITIONS),
  // A confirming measurement is a body temperature, taken again by the guard.
  confirm_temp_c: z.number().min(34).max(43).nullable().default(null),
  note: z.string().trim().max(500).nullable().default(null),
});

/** `GET /api/alerts`, and the guard's `/ack` and `/resolve` (docs/contract.md#http-api). */
export function alertsRouter(
  store: Store,
  ingest: Ingest,
  rulesAt: (checkpointId: string | null) => ScreeningRules,
): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const query = parseWith(alertQuery, req.query, "query");
    res.json(store.alerts.page(logFilter(query)));
  });
  router.post("/:alertId/ack", (req, res) => {
    const by = res.locals.account?.username ?? "unknown";
    change(() =>
      ingest.commitNow(() => store.alerts.acknowledge(req.params.alertId, by, Date.now())),
    );
    recordAction(store, req, res, "alert_acknowledge", req.params.alertId);
    res.json(store.alerts.get(req.params.alertId));
  });
  router.post("/:alertId/resolve", (req, res) => {
    const by = res.locals.account?.username ?? "unknown";
    const body = parseWith(resolveBody, req.body ?? {}, "body");
    const alert = store.alerts.get(req.params.alertId);
    if (!alert) throw new HttpError(404, `no alert ${req.params.alertId}`);
    // What fits the kind (a fever released only on a normal confirming reading), checked here
    // whatever the page offered.
    const problem =
      alert.state === "resolved"
        ? null
        : resolutionProblem(alert.kind, body, rulesAt(alert.checkpoint_id));
    if (problem) throw new HttpError(422, problem);
    change(() =>
      ingest.commitNow(() => store.alerts.resolve(req.params.alertId, by, Date.now(), body)),
    );
    recordAction(store, req, res, "alert_resolve", req.params.alertId, {
      disposition: body.disposition,
      confirm_temp_c: body.confirm_temp_c,
    });
    res.json(store.alerts.get(req.params.alertId));
  });
  return router;
}

function change(apply: () => unknown): void {
  try {
    apply();
  } catch (error) {
    if (error instanceof AlertConflict)
      throw new HttpError(error.message.startsWith("no alert") ? 404 : 409, error.message);
    throw error;
  }
}
