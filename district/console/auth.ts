import { randomBytes } from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import type { LoginThrottle } from "../../common/login-throttle.js";
import { verifyPassword } from "../../common/passwords.js";
import type { DistrictAccounts } from "../store/accounts.js";
import { loggedIn, sessionCookie, sessionToken, signedIn } from "./session.js";

/** What a login sends; anything else is a wrong login, not an error. */
const loginBody = z
  .object({
    username: z.string().optional().catch(undefined),
    password: z.string().optional().catch(undefined),
  })
  .catch({});

/**
 * `POST /login`, `GET /me`, `POST /logout`, at `/api/auth` and the console's `/district/api`: a
 * session cookie for the console's pages (Secure when it is served over HTTPS) and the same
 * session as `{token}` for `Authorization: Bearer` (docs/contract.md#the-district-centre). Guessing is throttled as on the
 * gateway's pages (common/login-throttle.ts): refused per account at an address and per address,
 * only slowed per account, so guesses never lock the right password out at another address;
 * one `throttle` for both paths, so neither gives more guesses.
 */
export function authRouter(
  accounts: DistrictAccounts,
  sessionTtlHours: number,
  throttle: LoginThrottle,
): Router {
  const router = Router();
  router.post("/login", async (req, res) => {
    const { username, password } = loginBody.parse(req.body ?? {});
    // req.ip: the proxy's X-Forwarded-For when console.trust_proxy says there is one.
    const name = String(username);
    const address = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const verdict = throttle.check(name, address);
    if (!verdict.go) {
      res.setHeader("Retry-After", String(verdict.retryAfterS));
      res
        .status(429)
        .json({ error: `尝试过多，请 ${verdict.retryAfterS} 秒后再试 too many attempts` });
      return;
    }
    if (verdict.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.slowMs));
    const account = username === undefined ? null : await accounts.withHash(username);
    if (
      !account ||
      password === undefined ||
      !(await verifyPassword(password, account.password_hash))
    ) {
      res.status(401).json({ error: "用户名或密码错误 wrong username or password" });
      return;
    }
    throttle.succeeded(name, address, verdict.counted);
    const token = randomBytes(24).toString("base64url");
    await accounts.startSession(token, account.username, sessionTtlHours);
    res.setHeader("Set-Cookie", sessionCookie(token, req.secure));
    res.json({
      token,
      username: account.username,
      role: account.role,
      expires_in_s: Math.round(sessionTtlHours * 3600),
    });
  });
  router.get("/me", loggedIn(accounts), (_req, res) => {
    res.json(signedIn(res));
  });
  router.post("/logout", async (req, res) => {
    const token = sessionToken(req);
    if (token) await accounts.endSession(token);
    res.setHeader("Set-Cookie", `${sessionCookie("", req.secure)}; Max-Age=0`);
    res.status(204).end();
  });
  return router;
}
