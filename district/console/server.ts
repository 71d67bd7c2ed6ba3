import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../../common/log.js";
import { LoginThrottle } from "../../common/login-throttle.js";
import type { DistrictConfig } from "../config.js";
import { DistrictAccounts } from "../store/accounts.js";
import { DistrictAudit } from "../store/audit.js";
import { DistrictRegistry } from "../store/registry.js";
import type { DistrictStore } from "../store/store.js";
import { isUnreachable } from "../store/unreachable.js";
import { districtApiRouter } from "./api.js";
import { auditRouter } from "./audit.js";
import { authRouter } from "./auth.js";
import { exportRouter } from "./export.js";
import { DistrictLive } from "./live.js";
import { registryRouter } from "./registry.js";
import { reportsRouter } from "./reports.js";
import { adminOnly, loggedIn } from "./session.js";
import { usersRouter } from "./users.js";

export interface ConsoleContext {
  config: DistrictConfig;
  store: DistrictStore;
  log: Logger;
  uiDir: string | null;
}

/**
 * The district console (docs/fleet.md#the-district-workers-every-gateway-into-postgresql, `/district`): a login (district roles viewer and admin), every
 * site and gateway at a glance (link, last event, open fevers), the open fevers across the
 * district pushed live, today's counts per site, the daily report for a date per site and in
 * total (一天一调度), a CSV export of passages, each export audited; accounts and the audit for
 * admins. One router per resource over the repositories in district/store/.
 */
export async function startConsole(
  ctx: ConsoleContext,
): Promise<{ port: number; close: () => Promise<void> }> {
  const { config, store, log } = ctx;
  const { pool } = store;
  const zone = config.console.timezone;
  const accounts = new DistrictAccounts(pool);
  const audit = new DistrictAudit(pool);
  if (await accounts.ensureFirstAdmin(config.admin_password))
    log.info("made the district console's first admin");

  const app = express();
  app.disable("x-powered-by");
  // Behind one HTTPS proxy: req.ip and req.secure from the X-Forwarded-* headers it sets.
  if (config.console.trust_proxy) app.set("trust proxy", 1);
  app.use(express.json({ limit: "16kb" }));
  const api = "/district/api";
  const member = loggedIn(accounts);
  // One throttle for the console's login and the API's: two paths give no more guesses.
  const logins = authRouter(accounts, config.console.session_ttl_h, new LoginThrottle());
  app.use(api, logins);
  app.use(`${api}/users`, member, adminOnly, usersRouter(accounts, audit));
  app.use(api, reportsRouter(pool, zone, member));
  app.use(`${api}/export`, member, exportRouter(pool, audit, zone, log));
  app.use(`${api}/audit`, member, adminOnly, auditRouter(audit));
  app.use(`${api}/registry`, member, registryRouter(new DistrictRegistry(pool), store, audit));
  // The contract's API (docs/contract.md#the-district-centre), by token or cookie.
  app.use("/api/auth", logins);
  app.use("/api/district/export", member, exportRouter(pool, audit, zone, log));
  app.use("/api/district", member, districtApiRouter(pool));
  app.use("/api", (req, res) => {
    res.status(404).json({ error: `no such path: ${req.method} ${req.originalUrl.split("?")[0]}` });
  });
  if (ctx.uiDir) {
    // The page's files, where the pages' build puts them (vite `base` /ui/).
    app.use("/ui", express.static(ctx.uiDir, { index: false }));
    app.get("/district", (_req, res) => res.sendFile(`${ctx.uiDir}/district.html`));
  }
  app.use(
    (error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      // The body parser's own refusals (not JSON, too large) are the client's: 4xx, said plainly.
      if (typeof error.status === "number" && error.status >= 400 && error.status < 500) {
        res.status(error.status).json({ error: `请求无效 bad request: ${error.message}` });
        return;
      }
      // PostgreSQL restarting or out of reach is not the request's fault nor a bug: 503, so a
      // dashboard or script knows to try again (RFC 9110 section 15.6.4).
      if (isUnreachable(error)) {
        log.warn({ err: error.message }, "district console request: database unavailable");
        res
          .status(503)
          .set("Retry-After", "5")
          .json({ error: "数据库暂不可用，请稍后重试 database unavailable, try again shortly" });
        return;
      }
      log.error({ err: error.message }, "district console request failed");
      res.status(500).json({ error: "internal error" });
    },
  );

  const server = createServer(app);
  const live = new DistrictLive(pool, accounts, log, config.console.trust_proxy);
  server.on("upgrade", (req, socket, head) => live.handleUpgrade(req, socket, head));
  await live.start();
  await new Promise<void>((resolve) =>
    server.listen(config.http.port ?? 0, config.http.host, resolve),
  );
  const address = server.address();
  const port = typeof address === "object" && address ? (address satisfies AddressInfo).port : 0;
  log.info({ port }, `district console on http://${config.http.host}:${port}/district`);
  return {
    port,
    close: async () => {
      live.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
