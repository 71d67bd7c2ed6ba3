import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { WebSocket, WebSocketServer } from "ws";
import { BOM, csvLine, localTime } from "../gateway/domain/csv.js";
import { dayBounds, localDate } from "../gateway/domain/time.js";
import type { Logger } from "../gateway/log.js";
import { hashPassword, verifyPassword } from "../gateway/store/accounts.js";
import type { DistrictConfig } from "./config.js";
import {
  alertById,
  dailyReport,
  gatewayById,
  gatewaysOverview,
  openFevers,
  passagesOfDay,
  siteCounts,
} from "./queries.js";

/**
 * The district console (SPEC 11, `/district`): a login (district roles viewer and admin), every
 * site and gateway at a glance (link, last event, open fevers), the open fevers across the
 * district pushed live (PostgreSQL NOTIFY from the workers' commits, over WebSocket), today's
 * counts per site, the daily report for a date per site and in total (一天一调度), a CSV export of
 * passages with filters, each export audited.
 */
export interface ConsoleContext {
  config: DistrictConfig;
  pool: pg.Pool;
  log: Logger;
  uiDir: string | null;
}

const COOKIE = "district_session";
/** Who made each request, once its session is checked. */
const signedIn = new WeakMap<Request, { username: string; role: Role }>();
type Role = "viewer" | "admin";
const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export async function startConsole(
  ctx: ConsoleContext,
): Promise<{ port: number; close: () => Promise<void> }> {
  const { config, pool, log } = ctx;
  const zone = config.console.timezone;
  await firstAdmin(ctx);
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));

  const account = async (req: Request): Promise<{ username: string; role: Role } | null> => {
    const cookie = req.headers.cookie ?? "";
    const token = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(cookie)?.[1];
    if (!token) return null;
    const found = await pool.query<{ username: string; role: Role }>(
      `SELECT u.username, u.role FROM district_sessions s JOIN district_users u USING (username)
       WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [tokenHash(token)],
    );
    return found.rows[0] ?? null;
  };
  const loggedIn = (req: Request, res: Response, next: NextFunction) => {
    void account(req).then((who) => {
      if (!who) {
        res.status(401).json({ error: "请先登录 login required" });
        return;
      }
      signedIn.set(req, who);
      next();
    }, next);
  };

  app.post("/district/api/login", async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const row =
      typeof username === "string"
        ? (
            await pool.query<{ password_hash: string; role: Role }>(
              "SELECT password_hash, role FROM district_users WHERE username = $1",
              [username],
            )
          ).rows[0]
        : undefined;
    if (
      !row ||
      typeof password !== "string" ||
      !(await verifyPassword(password, row.password_hash))
    ) {
      res.status(401).json({ error: "用户名或密码错误 wrong username or password" });
      return;
    }
    const token = randomBytes(24).toString("base64url");
    await pool.query(
      "INSERT INTO district_sessions (token_hash, username, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
      [tokenHash(token), username, config.console.session_ttl_h],
    );
    res.setHeader("Set-Cookie", `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/district`);
    res.json({ username, role: row.role });
  });
  app.get("/district/api/me", loggedIn, (req, res) => res.json(signedIn.get(req)));

  app.get("/district/api/overview", loggedIn, async (_req, res) => {
    const [start, end] = dayBounds(localDate(Date.now(), zone), zone);
    const [gateways, fevers, today] = await Promise.all([
      gatewaysOverview(pool),
      openFevers(pool),
      siteCounts(pool, start, end),
    ]);
    res.json({ gateways, fevers, today });
  });

  app.get("/district/api/report", loggedIn, async (req, res) => {
    const date = String(req.query.date ?? "");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      res.status(400).json({ error: "日期应为 YYYY-MM-DD / date must be YYYY-MM-DD" });
      return;
    }
    res.json(await dailyReport(pool, date, zone));
  });

  app.get("/district/api/export/passages.csv", loggedIn, async (req, res) => {
    const site = typeof req.query.site === "string" && req.query.site ? req.query.site : null;
    const date =
      typeof req.query.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(req.query.date)
        ? req.query.date
        : localDate(Date.now(), zone);
    const rows = await passagesOfDay(pool, date, zone, site);
    await pool.query(
      "INSERT INTO district_audit (actor, action, details) VALUES ($1, 'export', $2)",
      [
        signedIn.get(req)?.username ?? "unknown",
        { file: "passages.csv", date, site, rows: rows.length },
      ],
    );
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="district-passages-${date}.csv"`);
    res.write(
      BOM +
        csvLine([
          "编号 id",
          "时间 time",
          "站点 site",
          "网关 gateway",
          "检查点 checkpoint",
          "体温 temp_c",
          "结果 decision",
          "原因 reasons",
        ]),
    );
    for (const r of rows)
      res.write(
        csvLine([
          r.id,
          localTime(r.ts.getTime(), zone),
          r.site_id,
          r.gateway_id,
          r.checkpoint_id ?? "",
          r.temp_c ?? "",
          r.decision === "allow" ? "放行" : "拒绝",
          r.reasons ?? "",
        ]),
      );
    res.end();
  });

  app.get("/district/api/audit", loggedIn, async (_req, res) => {
    const rows = await pool.query(
      "SELECT at, actor, action, details FROM district_audit ORDER BY id DESC LIMIT 100",
    );
    res.json({ items: rows.rows });
  });

  if (ctx.uiDir) {
    // The page's files, where the pages' build puts them (vite `base` /ui/).
    app.use("/ui", express.static(ctx.uiDir, { index: false }));
    app.get("/district", (_req, res) => res.sendFile(`${ctx.uiDir}/district.html`));
  }
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err: error.message }, "district console request failed");
    res.status(500).json({ error: "internal error" });
  });

  const server: Server = createServer(app);
  // Live: fevers and gateways as the workers commit them (PostgreSQL NOTIFY), to every console.
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith("/district/live")) {
      socket.destroy();
      return;
    }
    void account(req as unknown as Request).then((who) => {
      if (!who) {
        socket.write("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws));
    });
  });
  const listener = await pool.connect();
  await listener.query("LISTEN district_alert");
  await listener.query("LISTEN district_gateway");
  listener.on("notification", (note) => {
    void (async () => {
      const message =
        note.channel === "district_alert"
          ? {
              type: "fever",
              alert: await alertById(pool, note.payload ?? ""),
            }
          : {
              type: "gateway",
              gateway: await gatewayById(pool, note.payload ?? ""),
            };
      const text = JSON.stringify(message);
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
    })().catch((error: Error) =>
      log.warn({ err: error.message }, "district console: a live update failed"),
    );
  });
  await new Promise<void>((resolve) =>
    server.listen(config.console.port ?? 0, config.console.host, resolve),
  );
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, `district console on http://${config.console.host}:${port}/district`);
  return {
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      listener.release();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The console's `admin`, made once from `console.admin_password` while no district admin exists. */
async function firstAdmin(ctx: ConsoleContext): Promise<void> {
  const password = ctx.config.console.admin_password;
  const admins = await ctx.pool.query("SELECT 1 FROM district_users WHERE role = 'admin' LIMIT 1");
  if (admins.rowCount || !password) return;
  await ctx.pool.query(
    "INSERT INTO district_users (username, password_hash, role) VALUES ('admin', $1, 'admin') ON CONFLICT DO NOTHING",
    [await hashPassword(password)],
  );
  ctx.log.info("made the district console's first admin");
}
