import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Store } from "../store/store.js";
import { logFilter, pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

/** Writes who did what (the logged-in account, or the name a login was tried with). */
export function recordAction(
  store: Store,
  req: Request,
  res: Response,
  action: string,
  target?: string | null,
  details?: Record<string, unknown>,
): void {
  store.audit.record({
    actor: res.locals.account?.username ?? "anonymous",
    action,
    target: target ?? null,
    details: details ?? null,
    address: req.ip ?? null,
  });
}

const auditQuery = z.object({
  from: pageFilters.shape.from,
  to: pageFilters.shape.to,
  limit: pageFilters.shape.limit,
  // The audit log is written as things happen, so its order is its ids'.
  cursor: z
    .string()
    .regex(/^\d+$/, "must be a next_cursor from an earlier page")
    .transform(Number)
    .optional(),
  actor: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
});

/** `GET /api/audit` (docs/contract.md#http-api, admin): newest first, filtered by actor, action and time. */
export function auditRouter(store: Store): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const query = parseWith(auditQuery, req.query, "query");
    res.json(store.audit.page(logFilter(query)));
  });
  return router;
}
