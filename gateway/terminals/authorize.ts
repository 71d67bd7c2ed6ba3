import type { Request } from "express";
import { sameSecret } from "../auth/secrets.js";
import type { TerminalConfig } from "../config/schema.js";
import { digestValid } from "./digest.js";
import type { DigestNonces } from "./nonces.js";

const REALM = "Checkpoint Gateway";

/**
 * Whether a request is the terminal's own: HTTP Basic with the device id and its password, or
 * Digest where the terminal only does that (Hikvision ISAPI).
 */
export function terminalAuthorized(
  req: Request,
  device: TerminalConfig,
  nonces: DigestNonces,
): boolean {
  const header = req.get("authorization") ?? "";
  if (/^Digest\s/i.test(header))
    return digestValid(header, REALM, nonces, device.id, device.password, req.method);
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  return (
    decoded.slice(0, colon) === device.id && sameSecret(decoded.slice(colon + 1), device.password)
  );
}

/** The challenges a 401 carries: Basic, and Digest with a fresh nonce. */
export function terminalChallenges(nonces: DigestNonces): string[] {
  return [
    `Basic realm="${REALM}", charset="UTF-8"`,
    `Digest realm="${REALM}", qop="auth", algorithm=MD5, nonce="${nonces.issue()}"`,
  ];
}
