import { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { AccountLogin } from "../auth/account-login.js";
import { SESSION_COOKIE, tokenFromHeaders } from "../auth/credentials.js";
import type { Account, Role } from "../store/accounts.js";
import type { Store } from "../store/store.js";
import { HttpError } from "./errors.js";
import { parseWith } from "./validation.js";

declare global {
  namespace Express {
    interface Locals {
      account?: Account;
    }
  }
}

const loginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** `POST /api/auth/login` and `/logout` (docs/contract.md#http-api). */
export function authRouter(store: Store, logins: AccountLogin, sessionTtlMs: number): Router {
  const router = Router();
  router.post("/login", async (req, res) => {
    const { username, password } = parseWith(loginBody, req.body, "body");
    const result = await logins.attempt(username, password, req.ip ?? null, "http");
    if (result.outcome === "throttled") {
      res.setHeader("Retry-After", String(result.retryAfterS));
      throw new HttpError(429, `too many failed logins: try again in ${result.retryAfterS} s`);
    }
    if (result.outcome === "refused") throw new HttpError(401, "wrong username or password");
    const { account } = result;
    const token = store.accounts.createSession(account.username, Date.now(), sessionTtlMs);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "strict",
      secure: req.secure,
      maxAge: sessionTtlMs,
      path: "/",
    });
    res.json({
      token,
      username: account.username,
      role: account.role,
      expires_in_s: Math.round(sessionTtlMs / 1000),
    });
  });
  router.get("/me", (req, res) => {
    const token = tokenFromHeaders(req.headers);
    const account = token ? store.accounts.sessionAccount(token, Date.now()) : null;
    if (!account) throw new HttpError(401, "login required");
    res.json(account);
  });
  router.post("/logout", (req, res) => {
    const token = tokenFromHeaders(req.headers);
    const account = token ? store.accounts.sessionAccount(token, Date.now()) : null;
    if (account)
      store.audit.record({ actor: account.username, action: "logout", address: req.ip ?? null });
    if (token) store.accounts.endSession(token);
    res.clearCookie(SESSION_COOKIE, { path: "/" });
    res.status(204).end();
  });
  return router;
}

/** Lets a request through only with a valid login of one of `roles`. */
export function requireRole(store: Store, ...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const token = tokenFromHeaders(req.headers);
    const account = token ? store.accounts.sessionAccount(token, Date.now()) : null;
    if (!account) return next(new HttpError(401, "login required"));
    if (!roles.includes(account.role))
      return next(new HttpError(403, `needs role ${roles.join(" or ")}`));
    res.locals.account = account;
    next();
  };
}
