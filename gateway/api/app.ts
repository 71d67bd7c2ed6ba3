import express, { type Express } from "express";
import helmet from "helmet";
import { z } from "zod";
import { findUiDir } from "../../common/static-pages.js";
import { localDate, startOfDayMs } from "../../common/time.js";
import { foreignOrigin } from "../auth/origin.js";
import type { Core } from "../core.js";
import { summarizeDay } from "../pipeline/daily-summary.js";
import { alertsRouter } from "./alerts.js";
import { auditRouter } from "./audit.js";
import { authRouter, requireRole } from "./auth.js";
import { configRouter } from "./config.js";
import { errorHandler, HttpError, notFound } from "./errors.js";
import { exportRouter } from "./export.js";
import { healthRouter } from "./health.js";
import { passagesRouter } from "./passages.js";
import { passesRouter } from "./passes.js";
import { readingsRouter } from "./readings.js";
import { pagesRouter } from "./static.js";
import { usersRouter } from "./users.js";
import { parseWith } from "./validation.js";

/** The express app: one router per resource, errors answered as JSON. */
export function createApp(core: Core): Express {
  const { config, store, devices, metrics } = core;
  const log = core.logger("api");
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The kiosk connects back to this host over WebSocket.
          "connect-src": ["'self'", "ws:", "wss:"],
          "upgrade-insecure-requests": null,
        },
      },
      // Kiosk PCs reach the gateway over plain HTTP on the site LAN.
      strictTransportSecurity: false,
    }),
  );
  // Network terminals post their own formats, JPEG parts included: read before the JSON parser.
  for (const { path, router } of core.hooks.rawRouters) app.use(path, router);
  app.use(express.json({ limit: config.http.body_limit }));
  // A foreign page may not change anything with a guard's cookie (see auth/origin.ts).
  app.use((req, _res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const foreign = foreignOrigin(req.headers, config.http.allowed_origins);
    if (foreign === null) return next();
    metrics.badRequests.inc({ reason: "foreign_origin" });
    next(new HttpError(403, `requests from ${foreign} may not use this gateway's login cookie`));
  });

  app.use("/api/health", healthRouter(core));
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use("/api/auth", authRouter(store, core.logins, config.session_ttl_h * 3600_000));
  app.use("/api/readings", requireRole(store, "guard", "admin"), readingsRouter(store));
  app.use("/api/passes", requireRole(store, "admin"), passesRouter(store, config.site.timezone));
  app.use("/api/users", requireRole(store, "admin"), usersRouter(store));
  app.use("/api/audit", requireRole(store, "admin"), auditRouter(store));
  app.use(
    "/api/config",
    requireRole(store, "admin"),
    configRouter({
      configView: () => core.reloader.config,
      reloadConfig: (actor, address) => core.reloader.reload(actor, address),
      configFile: core.options.loadConfig !== undefined,
    }),
  );
  app.use("/api/passages", requireRole(store, "guard", "admin"), passagesRouter(store));
  app.use(
    "/api/export",
    requireRole(store, "admin"),
    exportRouter(store, config.site.timezone, (id) => devices.checkpoint(id)?.name),
  );
  app.get("/api/summary/daily", requireRole(store, "guard", "admin"), (req, res) => {
    const zone = config.site.timezone;
    const { date } = parseWith(
      z.object({ date: z.iso.date("must be a date YYYY-MM-DD").optional() }),
      req.query,
      "query",
    );
    const now = Date.now();
    res.json(summarizeDay(store, config.checkpoints, date ?? localDate(now, zone), zone, now));
  });
  app.get("/api/counts/today", requireRole(store, "guard", "admin"), (_req, res) => {
    const counts = new Map(
      store
        .countsSince(startOfDayMs(Date.now(), config.site.timezone))
        .map((c) => [c.checkpoint_id, c]),
    );
    res.json({
      timezone: config.site.timezone,
      checkpoints: config.checkpoints.map((checkpoint) => ({
        checkpoint_id: checkpoint.id,
        name: checkpoint.name,
        passages: 0,
        allowed: 0,
        denied: 0,
        fevers: 0,
        lows: 0,
        ...counts.get(checkpoint.id),
      })),
    });
  });
  app.use(
    "/api/alerts",
    requireRole(store, "guard", "admin"),
    alertsRouter(store, core.ingest, (checkpointId) => devices.checkpointRules(checkpointId)),
  );
  app.use(pagesRouter(findUiDir()));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
