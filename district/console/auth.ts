import { randomBytes } from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import { LoginLimiter } from "../../common/login-limiter.js";
import { verifyPassword } from "../../common/passwords.js";
import type { DistrictAccounts } from "../store/accounts.js";
import { loggedIn, SESSION_COOKIE, sessionToken, signedIn } from "./session.js";

/** What a login sends; anything else is a wrong login, not an error. */
const loginBody = z
  .object({
    username: z.string().optional().catch(undefined),
    password: z.string().optional().catch(undefined),
  })
  .catch({});

/**
 * `POST /login`, `GET /me`, `POST /logout` of the district console: a session cookie for the
 * console's pages. Guessing is throttled per account and per address, as on the gateway's
 * pages (docs/contract.md#http-api).
 */
export function authRouter(accounts: DistrictAccounts, sessionTtlHours: number): Router {
  const router = Router();
  const limiter = new LoginLimiter();
  router.post("/login", async (req, res) => {
    const { username, password } = loginBody.parse(req.body ?? {});
    const keys = [`user:${String(username)}`, `address:${req.socket.remoteAddress ?? ""}`];
    const waitS = limiter.retryAfterS(keys);
    if (waitS > 0) {
      res.setHeader("Retry-After", String(waitS));
      res.status(429).json({ error: `尝试过多，请 ${waitS} 秒后再试 too many attempts` });
      return;
    }
    const countedAt = limiter.count(keys);
    const account = username === undefined ? null : await accounts.withHash(username);
    if (
      !account ||
      password === undefined ||
      !(await verifyPassword(password, account.password_hash))
    ) {
      res.status(401).json({ error: "用户名或密码错误 wrong username or password" });
      return;
    }
    limiter.uncount(keys, countedAt);
    const token = randomBytes(24).toString("base64url");
    await accounts.startSession(token, account.username, sessionTtlHours);
    res.setHeader(
      "Set-Cookie",
      `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/district`,
    );
    res.json({ username: account.username, role: account.role });
  });
  router.get("/me", loggedIn(accounts), (_req, res) => {
    res.json(signedIn(res));
  });
  router.post("/logout", async (req, res) => {
    const token = sessionToken(req);
    if (token) await accounts.endSession(token);
    res.setHeader(
      "Set-Cookie",
      `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/district; Max-Age=0`,
    );
    res.status(204).end();
  });
  return router;
}
