import type { IncomingHttpHeaders } from "node:http";

/** The session cookie set at login (docs/contract.md#http-api). */
export const SESSION_COOKIE = "cg_session";

/**
 * The login token a request carries: `Authorization: Bearer <token>` for scripts, else the
 * session cookie for browsers. Shared by the HTTP API and the WebSocket upgrade.
 */
export function tokenFromHeaders(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (authorization?.startsWith("Bearer "))
    return authorization.slice("Bearer ".length).trim() || null;
  const cookies = headers.cookie;
  if (!cookies) return null;
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join("=")) || null;
  }
  return null;
}
