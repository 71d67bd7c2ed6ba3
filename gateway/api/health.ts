import { Router } from "express";
import type { Core } from "../core.js";

/** `GET /api/health` (docs/contract.md#http-api), open without a login so monitors can poll it. */
export function healthRouter(core: Core): Router {
  const { config, store, devices, broker, hooks } = core;
  const router = Router();
  router.get("/", (_req, res) => {
    const dbOk = store.isHealthy();
    const writes = store.writeHealth();
    const backup = hooks.health.get("backup")?.();
    const pictures = hooks.health.get("pictures")?.();
    res.status(dbOk ? 200 : 503).json({
      status: dbOk ? "ok" : "degraded",
      gateway_id: config.gateway_id,
      site_id: config.site.id,
      uptime_s: Math.round((Date.now() - core.startedAtMs) / 1000),
      db: { ok: dbOk, last_seq: store.journal.currentSeq, write_error: writes.error },
      broker: {
        mode: config.mqtt.mode,
        port: broker.port,
        clients: broker.connectedClients,
        connected: broker.isConnected,
      },
      upstream: hooks.health.get("upstream")?.() ?? {
        enabled: false,
        connected: false,
        queue_depth: 0,
        oldest_age_s: null,
        last_error: null,
      },
      backup:
        backup === undefined
          ? { enabled: false, last: null, error: null }
          : { enabled: true, ...backup },
      devices: devices.health(),
      ...(pictures ? { pictures } : {}),
    });
  });
  return router;
}
