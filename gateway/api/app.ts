import express, { type Express } from "express";
import helmet from "helmet";
import { z } from "zod";
import type { AccountLogin } from "../auth/account-login.js";
import { foreignOrigin } from "../auth/origin.js";
import type { ReloadOutcome } from "../config/reloader.js";
import type { GatewayConfig } from "../config/schema.js";
import { localDate, startOfDayMs } from "../domain/time.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { summarizeDay } from "../pipeline/daily-summary.js";
import type { Ingest } from "../pipeline/ingest.js";
import type { Store } from "../store/store.js";
import { type TerminalIngestContext, terminalIngestRouter } from "../terminals/ingest-router.js";
import { alertsRouter } from "./alerts.js";
import { auditRouter } from "./audit.js";
import { authRouter, requireRole } from "./auth.js";
import { configRouter } from "./config.js";
import { errorHandler, HttpError, notFound } from "./errors.js";
import { exportRouter } from "./export.js";
import { type HealthSources, healthRouter } from "./health.js";
import { passagesRouter } from "./passages.js";
import { passesRouter } from "./passes.js";
import { readingsRouter } from "./readings.js";
import { findUiDir, pagesRouter } from "./static.js";
import { usersRouter } from "./users.js";
import { parseWith } from "./validation.js";

export interface ApiContext extends HealthSources {
  store: Store;
  metrics: Metrics;
  log: Logger;
  bodyLimit: string;
  sessionTtlMs: number;
  ingest: Ingest;
  logins: AccountLogin;
  configView: () => GatewayConfig;
  reloadConfig: (actor: string, address: string | null) => ReloadOutcome;
  /** Whether a config file backs this gateway (reload reads it again). */
  configFile: boolean;
  /** Network terminals' notifications (`/ingest`), when any terminal is configured. */
  terminals?: TerminalIngestContext;
}

/** The express app: one router per resource (STYLE 12), errors answered as JSON. */
export function createApp(ctx: ApiContext): Express {
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
  if (ctx.terminals) app.use("/ingest", terminalIngestRouter(ctx.terminals));
  app.use(express.json({ limit: ctx.bodyLimit }));
  // A foreign page may not change anything with a guard's cookie (see auth/origin.ts).
  app.use((req, _res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const foreign = foreignOrigin(req.headers, ctx.config.http.allowed_origins);
    if (foreign === null) return next();
    ctx.metrics.badRequests.inc({ reason: "foreign_origin" });
    next(new HttpError(403, `requests from ${foreign} may not use this gateway's login cookie`));
  });

  app.use("/api/health", healthRouter(ctx));
  app.get("/metrics", async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.use("/api/auth", authRouter(ctx.store, ctx.logins, ctx.sessionTtlMs));
  app.use("/api/readings", requireRole(ctx.store, "guard", "admin"), readingsRouter(ctx.store));
  app.use(
    "/api/passes",
    requireRole(ctx.store, "admin"),
    passesRouter(ctx.store, ctx.config.site.timezone),
  );
  app.use("/api/users", requireRole(ctx.store, "admin"), usersRouter(ctx.store));
  app.use("/api/audit", requireRole(ctx.store, "admin"), auditRouter(ctx.store));
  app.use("/api/config", requireRole(ctx.store, "admin"), configRouter(ctx));
  app.use("/api/passages", requireRole(ctx.store, "guard", "admin"), passagesRouter(ctx.store));
  app.use(
    "/api/export",
    requireRole(ctx.store, "admin"),
    exportRouter(ctx.store, ctx.config.site.timezone, (id) => ctx.devices.checkpoint(id)?.name),
  );
  app.get("/api/summary/daily", requireRole(ctx.store, "guard", "admin"), (req, res) => {
    const zone = ctx.config.site.timezone;
    const { date } = parseWith(
      z.object({ date: z.iso.date("must be a date YYYY-MM-DD").optional() }),
      req.query,
      "query",
    );
    const now = Date.now();
    res.json(
      summarizeDay(ctx.store, ctx.config.checkpoints, date ?? localDate(now, zone), zone, now),
    );
  });
  app.get("/api/counts/today", requireRole(ctx.store, "guard", "admin"), (_req, res) => {
    const counts = new Map(
      ctx.store
        .countsSince(startOfDayMs(Date.now(), ctx.config.site.timezone))
        .map((c) => [c.checkpoint_id, c]),
    );
    res.json({
      timezone: ctx.config.site.timezone,
      checkpoints: ctx.config.checkpoints.map((checkpoint) => ({
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
    requireRole(ctx.store, "guard", "admin"),
    alertsRouter(ctx.store, ctx.ingest, (checkpointId) =>
      ctx.devices.checkpointRules(checkpointId),
    ),
  );
  app.use(pagesRouter(findUiDir()));

  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}
