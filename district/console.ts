import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { BOM, csvLine, localTime } from "../common/csv.js";
import { type Logger, messageOf } from "../common/log.js";
import { LoginLimiter } from "../common/login-limiter.js";
import { hashPassword, verifyPassword } from "../common/passwords.js";
import { dayBounds, localDate } from "../common/time.js";
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
const sessionToken = (req: Request) =>
  new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "")?.[1];

const username = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]{1,40}$/,
    "用户名为 1-40 个字母、数字、_ . - / username: 1-40 letters, digits, _ . -",
  );
const password = z.string().min(8, "密码至少 8 位 / password: at least 8 characters").max(200);
const role = z.enum(["viewer", "admin"], "角色为 viewer 或 admin / role: viewer or admin");
const newAccount = z.strictObject({ username, password, role });
const accountChange = z.strictObject({ password: password.optional(), role: role.optional() });
const problemOf = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");

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
    const token = sessionToken(req);
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

  // Guessing is throttled per account and per address, as on the gateway's pages (SPEC 7).
  const limiter = new LoginLimiter();
  app.post("/district/api/login", async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const keys = [`user:${String(username)}`, `address:${req.socket.remoteAddress ?? ""}`];
    const waitS = limiter.retryAfterS(keys);
    if (waitS > 0) {
      res.setHeader("Retry-After", String(waitS));
      res.status(429).json({ error: `尝试过多，请 ${waitS} 秒后再试 too many attempts` });
      return;
    }
    const countedAt = limiter.count(keys);
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
    limiter.uncount(keys, countedAt);
    const token = randomBytes(24).toString("base64url");
    await pool.query(
      "INSERT INTO district_sessions (token_hash, username, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
      [tokenHash(token), username, config.console.session_ttl_h],
    );
    res.setHeader("Set-Cookie", `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/district`);
    res.json({ username, role: row.role });
  });
  app.get("/district/api/me", loggedIn, (req, res) => res.json(signedIn.get(req)));
  app.post("/district/api/logout", async (req, res) => {
    const token = sessionToken(req);
    if (token)
      await pool.query("DELETE FROM district_sessions WHERE token_hash = $1", [tokenHash(token)]);
    res.setHeader("Set-Cookie", `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/district; Max-Age=0`);
    res.status(204).end();
  });

  // Accounts (admins only): viewers see the district; admins also manage accounts and the audit.
  const adminOnly = (req: Request, res: Response, next: NextFunction) => {
    if (signedIn.get(req)?.role !== "admin") {
      res.status(403).json({ error: "仅管理员可用 admins only" });
      return;
    }
    next();
  };
  const audit = (req: Request, action: string, details: Record<string, unknown>) =>
    pool.query("INSERT INTO district_audit (actor, action, details) VALUES ($1, $2, $3)", [
      signedIn.get(req)?.username ?? "unknown",
      action,
      details,
    ]);
  const adminsLeft = async (without: string) =>
    Number(
      (
        await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM district_users WHERE role = 'admin' AND username <> $1",
          [without],
        )
      ).rows[0]?.n ?? 0,
    );
  app.get("/district/api/users", loggedIn, adminOnly, async (_req, res) => {
    const rows = await pool.query(
      "SELECT username, role, created_at FROM district_users ORDER BY username",
    );
    res.json({ items: rows.rows });
  });
  app.post("/district/api/users", loggedIn, adminOnly, async (req, res) => {
    const parsed = newAccount.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: problemOf(parsed.error) });
      return;
    }
    const { username, password, role } = parsed.data;
    const made = await pool.query(
      "INSERT INTO district_users (username, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      [username, await hashPassword(password), role],
    );
    if (made.rowCount === 0) {
      res.status(409).json({ error: `账号已存在 account ${username} exists` });
      return;
    }
    await audit(req, "user_create", { username, role });
    res.status(201).json({ username, role });
  });
  app.patch("/district/api/users/:username", loggedIn, adminOnly, async (req, res) => {
    const username = String(req.params.username);
    const parsed = accountChange.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: problemOf(parsed.error) });
      return;
    }
    const { password, role } = parsed.data;
    if (role === "viewer" && (await adminsLeft(username)) === 0) {
      res.status(409).json({ error: "至少保留一名管理员 the last admin stays an admin" });
      return;
    }
    const changed = await pool.query(
      `UPDATE district_users SET role = coalesce($2, role),
              password_hash = coalesce($3, password_hash) WHERE username = $1`,
      [username, role ?? null, password ? await hashPassword(password) : null],
    );
    if (changed.rowCount === 0) {
      res.status(404).json({ error: `没有账号 no account ${username}` });
      return;
    }
    // A new password or role ends the account's sessions: it logs in again under the new terms.
    await pool.query("DELETE FROM district_sessions WHERE username = $1", [username]);
    await audit(req, "user_change", {
      username,
      role: role ?? null,
      password: password !== undefined,
    });
    res.json({ username });
  });
  app.delete("/district/api/users/:username", loggedIn, adminOnly, async (req, res) => {
    const username = String(req.params.username);
    if (username === signedIn.get(req)?.username || (await adminsLeft(username)) === 0) {
      res
        .status(409)
        .json({ error: "不能删除自己或最后一名管理员 not yourself, not the last admin" });
      return;
    }
    const removed = await pool.query("DELETE FROM district_users WHERE username = $1", [username]);
    if (removed.rowCount === 0) {
      res.status(404).json({ error: `没有账号 no account ${username}` });
      return;
    }
    await audit(req, "user_delete", { username });
    res.status(204).end();
  });

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
    // Page by page, waiting for the client to take each: memory stays flat whatever the day.
    let rows = 0;
    try {
      for await (const page of passagesOfDay(pool, date, zone, site)) {
        const text = page
          .map((r) =>
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
          )
          .join("");
        rows += page.length;
        if (!res.write(text)) await once(res, "drain");
        if (res.destroyed) break;
      }
      await audit(req, "export", {
        file: "passages.csv",
        date,
        site,
        rows,
        ...(res.destroyed ? { incomplete: true } : {}),
      });
      res.end();
    } catch (error) {
      // The header is out: all that can be said is to cut the download short.
      log.error({ err: messageOf(error), rows }, "district export failed midway");
      res.destroy();
    }
  });

  app.get("/district/api/audit", loggedIn, adminOnly, async (_req, res) => {
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
  const relay = (note: { channel: string; payload?: string | undefined }) => {
    void (async () => {
      const message =
        note.channel === "district_alert"
          ? { type: "fever", alert: await alertById(pool, note.payload ?? "") }
          : { type: "gateway", gateway: await gatewayById(pool, note.payload ?? "") };
      const text = JSON.stringify(message);
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
    })().catch((error: Error) =>
      log.warn({ err: error.message }, "district console: a live update failed"),
    );
  };
  // One connection LISTENs for the workers' commits. When it is lost (PostgreSQL restarted) it
  // is made again, and the consoles are told to look afresh, for what they may have missed.
  let listener: pg.PoolClient | undefined;
  let closed = false;
  const listen = async (): Promise<void> => {
    if (closed) return;
    try {
      const client = await pool.connect();
      client.on("notification", relay);
      let lost = false;
      // `on`, not `once`: a dead connection may report more than one error.
      client.on("error", (error) => {
        if (lost) return;
        lost = true;
        if (listener === client) listener = undefined;
        client.release(error);
        log.warn({ err: error.message }, "district console: lost the live feed; listening again");
        setTimeout(() => void listen(), 1000);
      });
      await client.query("LISTEN district_alert");
      await client.query("LISTEN district_gateway");
      listener = client;
      relay({ channel: "district_gateway", payload: "" });
    } catch (error) {
      log.warn({ err: messageOf(error) }, "district console: cannot listen yet; retrying");
      setTimeout(() => void listen(), 1000);
    }
  };
  await listen();
  await new Promise<void>((resolve) =>
    server.listen(config.console.port ?? 0, config.console.host, resolve),
  );
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, `district console on http://${config.console.host}:${port}/district`);
  return {
    port,
    close: async () => {
      closed = true;
      for (const client of wss.clients) client.terminate();
      listener?.release();
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
