import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { DistrictAccount, DistrictAccounts } from "../store/accounts.js";

/** The console's session cookie (HttpOnly, SameSite=Strict, on /district only). */
export const SESSION_COOKIE = "district_session";

/** The session token a request carries in its cookie, if any. */
export function sessionToken(req: IncomingMessage): string | undefined {
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
