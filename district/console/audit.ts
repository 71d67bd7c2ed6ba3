import { Router } from "express";
import type { DistrictAudit } from "../store/audit.js";

/** `GET /audit` (admins only): the newest hundred entries. */
export function auditRouter(audit: DistrictAudit): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    res.json({ items: await audit.recent(100) });
  });
  return router;
}
