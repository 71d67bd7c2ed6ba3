import type { IncomingHttpHeaders } from "node:http";
import { SESSION_COOKIE } from "./credentials.js";

/**
 * Cross-site request refusal for cookie logins. A browser sends the session cookie with any
 * request to the gateway, whichever site made it; SameSite alone stands between a guard's open
 * console and a hostile page on the same network. So a request that changes something, or
 * opens the guard channel, authenticated by the cookie (not by an `Authorization` header, which
 * a foreign page cannot set) must come from the gateway's own pages: its `Origin` is the
 * gateway's own, or one the config lists (`http.allowed_origins`). Pure: headers in, verdict out.
 */
export function foreignOrigin(
  headers: IncomingHttpHeaders,
  allowed: readonly string[],
): string | null {
  if (headers.authorization?.startsWith("Bearer ")) return null;
  // Without the session cookie nothing is authenticated by it (a login, an anonymous kiosk).
  if (!headers.cookie?.includes(`${SESSION_COOKIE}=`)) return null;
  const origin = headers.origin;
  // Not sent: not a browser's cross-site request (browsers send Origin on those).
  if (origin === undefined) return null;
  const host = headers.host;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
    return null;
  if (allowed.includes(origin)) return null;
  return origin;
}
