import { Router } from "express";
import { redactSecrets } from "../config/changes.js";
import type { ReloadOutcome } from "../config/reloader.js";
import type { GatewayConfig } from "../config/schema.js";

/**
 * `GET /api/config` (docs/contract.md#http-api "config view", admin): the config in force, passwords hidden;
 * `POST /api/config/reload` (admin): the same as SIGHUP, answered with what changed.
 */
export function configRouter(ctx: {
  configView: () => GatewayConfig;
  reloadConfig: (actor: string, address: string | null) => ReloadOutcome;
  /** False when the gateway runs on its built-in config (the demo): there is no file to read. */
  configFile: boolean;
}): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    res.json(redactSecrets(ctx.configView()));
  });
  router.post("/reload", (req, res) => {
    if (!ctx.configFile) {
      res.status(409).json({
        error:
          "没有配置文件可重新加载：本网关以内置配置运行 / There is no config file to reload: this gateway runs on its built-in config",
      });
      return;
    }
    const outcome = ctx.reloadConfig(res.locals.account?.username ?? "anonymous", req.ip ?? null);
    if (outcome.outcome === "rejected")
      res.status(422).json({ error: `config refused: ${outcome.problems.join("; ")}`, ...outcome });
    else res.json(outcome);
  });
  return router;
}
