import { Router } from "express";
import { redactSecrets } from "../config/changes.js";
import type { ReloadOutcome } from "../config/reloader.js";
import type { GatewayConfig } from "../config/schema.js";

/**
 * `GET /api/config` (SPEC 7 "config view", admin): the config in force, passwords hidden;
 * `POST /api/config/reload` (admin): the same as SIGHUP, answered with what changed.
 */
export function configRouter(ctx: {
  configView: () => GatewayConfig;
  reloadConfig: (actor: string, address: string | null) => ReloadOutcome;
}): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    res.json(redactSecrets(ctx.configView()));
  });
  router.post("/reload", (req, res) => {
    const outcome = ctx.reloadConfig(res.locals.account?.username ?? "anonymous", req.ip ?? null);
    if (outcome.outcome === "rejected")
      res.status(422).json({ error: `config refused: ${outcome.problems.join("; ")}`, ...outcome });
    else res.json(outcome);
  });
  return router;
}
