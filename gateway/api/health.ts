import { Router } from "express";
import type { GatewayConfig } from "../config/schema.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Store } from "../store/store.js";
import type { UpstreamHealth } from "../upstream/forwarder.js";

export interface HealthSources {
  config: GatewayConfig;
  store: Store;
  devices: DeviceRegistry;
  broker: () => { port: number; clients: number; connected: boolean };
  upstream: () => UpstreamHealth | null;
  /** The daily backup's last file and failure, or null when there is no daily backup. */
  backup: () => { last: { file: string; at: string } | null; error: string | null } | null;
  startedAtMs: number;
}

/** `GET /api/health` (SPEC 7), open without a login so monitors can poll it. */
export function healthRouter(sources: HealthSources): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    const dbOk = sources.store.isHealthy();
    const writes = sources.store.writeHealth();
    const broker = sources.broker();
    res.status(dbOk ? 200 : 503).json({
      status: dbOk ? "ok" : "degraded",
      gateway_id: sources.config.gateway_id,
      site_id: sources.config.site.id,
      uptime_s: Math.round((Date.now() - sources.startedAtMs) / 1000),
      db: { ok: dbOk, last_seq: sources.store.journal.currentSeq, write_error: writes.error },
      broker: {
        mode: sources.config.mqtt.mode,
        port: broker.port,
        clients: broker.clients,
        connected: broker.connected,
      },
      upstream: sources.upstream() ?? {
        enabled: false,
        connected: false,
        queue_depth: 0,
        oldest_age_s: null,
        last_error: null,
      },
      backup: {
        enabled: sources.backup() !== null,
        ...(sources.backup() ?? { last: null, error: null }),
      },
      devices: sources.devices.health(),
    });
  });
  return router;
}
