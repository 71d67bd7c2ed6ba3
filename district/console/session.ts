import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { DistrictAccount, DistrictAccounts } from "../store/accounts.js";

/** The console's session cookie (HttpOnly, SameSite=Strict), for its pages and the API alike. */
export const SESSION_COOKIE = "district_session";

/** The cookie that carries a session token: Secure when the console is reached over HTTPS. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? "; Secure" : ""}`;
}

/**
 * Whether a browser's request comes from a page of the console's own origin: a WebSocket is not
 * bound by the same-origin policy, so another site's page could open the live channel with the
 * cookie (SameSite=Strict does not cover a WebSocket handshake in every browser). A client that
 * sends no Origin (a script) is not a browser page and needs its session all the same.
 */
export function sameOrigin(req: IncomingMessage, trustProxy: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const forwarded = trustProxy ? req.headers["x-forwarded-host"] : undefined;
  const host =
    (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) ??
    req.headers.host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The session token a request carries: `Authorization: Bearer <token>` (a script, a city's
 * dashboard), else the console's cookie.
 */
export function sessionToken(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim() || undefined;
  return new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "")?.[1];
}

declare global {
  namespace Express {
    interface Locals {
      /** Who made a district console request, once `loggedIn` checked its session. */
      districtAccount?: DistrictAccount;
    }
  }
}

/** Who made a request, once `loggedIn` checked its session. */
export function signedIn(res: Response): DistrictAccount | undefined {
  return res.locals.districtAccount;
}

/** Lets a request on only with a live session (401 otherwise). */
export function loggedIn(accounts: DistrictAccounts) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = sessionToken(req);
    const who = token ? accounts.bySession(token) : Promise.resolve(null);
    void who.then((account) => {
      if (!account) {
        res.status(401).json({ error: "请先登录 login required" });
        return;
      }
      res.locals.districtAccount = account;
      next();
    }, next);
  };
}

/** Lets a request on only from an admin (403 otherwise); after `loggedIn`. */
export function adminOnly(_req: Request, res: Response, next: NextFunction): void {
  if (signedIn(res)?.role !== "admin") {
    res.status(403).json({ error: "仅管理员可用 admins only" });
    return;
  }
  next();
}
