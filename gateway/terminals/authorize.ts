import type { Request } from "express";
import type { Logger } from "../../common/log.js";
import { LoginThrottle } from "../../common/login-throttle.js";
import { FailureLog } from "../auth/failure-log.js";
import { sameSecret } from "../auth/secrets.js";
import type { TerminalConfig } from "../config/schema.js";
import type { Metrics } from "../metrics.js";
import type { AuditRepository } from "../store/audit.js";
import { digestFields, digestResponseValid } from "./digest.js";
import { DigestNonces } from "./nonces.js";

const REALM = "Checkpoint Gateway";

export type TerminalAuth =
  | { outcome: "ok" }
  /** No credentials: how Digest starts (challenged, not counted). */
  | { outcome: "none" }
  | { outcome: "wrong" }
  /** The right password with a nonce that is too old or forgotten: asked again, `stale=true`. */
  | { outcome: "stale" }
  | { outcome: "throttled"; retryAfterS: number };

/**
 * Whether a request is a terminal's own (docs/contract.md#network-terminals-over-http): HTTP
 * Basic with the device id and its password, or Digest where the terminal only does that
 * (Hikvision ISAPI), its nonce this gateway's (nonces.ts), its count higher than the last, its
 * uri the request's own. Throttled as account logins are (common/login-throttle.ts): each attempt
 * with credentials is counted before its password is checked, so past 5 wrong ones of a terminal
 * at one address, or 30 at one address, its attempts are refused unchecked for a while, and a
 * guesser elsewhere only slows the terminal down, never locks it out. Failures are one audit row
 * and one log line per burst (auth/failure-log.ts), not one per guess (100,000 guesses once
 * wrote 15.7 MB of log).
 */
export class TerminalAuthenticator {
  private readonly nonces: DigestNonces;
  private readonly throttle: LoginThrottle;
  private readonly failures: FailureLog;

  constructor(
    audit: Pick<AuditRepository, "record">,
    private readonly metrics: Metrics,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.nonces = new DigestNonces(now);
    this.throttle = new LoginThrottle(now);
    this.failures = new FailureLog(
      {
        record(entry) {
          audit.record(entry);
          const count = Number(entry.details?.count ?? 1);
          const what =
            entry.action === "terminal_login_throttled" ? "throttled" : "wrong credentials";
          log.warn(
            { device: entry.actor, address: entry.address, count, reason: entry.action },
            `terminal ${entry.actor}: ${what} from ${entry.address ?? "an unknown address"}${count > 1 ? ` (${count} times since the last line)` : ""}; refused`,
          );
        },
      },
      60_000,
      now,
    );
  }

  start(): void {
    this.failures.start();
  }

  stop(): void {
    this.failures.stop();
  }

  async check(req: Request, device: TerminalConfig): Promise<TerminalAuth> {
    const header = req.get("authorization")?.trim() ?? "";
    if (header === "") return { outcome: "none" };
    const address = req.ip ?? "unknown";
    const verdict = this.throttle.check(device.id, address);
    if (!verdict.go) {
      this.failed(device, address, "terminal_login_throttled");
      return { outcome: "throttled", retryAfterS: verdict.retryAfterS };
    }
    if (verdict.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.slowMs));
    const outcome = this.credentials(req, header, device);
    if (outcome === "wrong") this.failed(device, address, "terminal_login_failed");
    else this.throttle.succeeded(device.id, address, verdict.counted);
    return { outcome };
  }

  /** The challenges a 401 carries: Basic, and Digest with a fresh nonce (`stale` after a stale one). */
  challenges(stale = false): string[] {
    return [
      `Basic realm="${REALM}", charset="UTF-8"`,
      `Digest realm="${REALM}", qop="auth", algorithm=MD5, nonce="${this.nonces.issue()}"${stale ? ", stale=true" : ""}`,
    ];
  }

  private credentials(
    req: Request,
    header: string,
    device: TerminalConfig,
  ): "ok" | "wrong" | "stale" {
    if (/^Digest\s/i.test(header)) {
      const f = digestFields(header);
      // qop=auth only: without a count a replay could not be told from a new request.
      if (f.qop !== "auth" || f.uri !== req.originalUrl) return "wrong";
      if (!digestResponseValid(f, REALM, device.id, device.password, req.method)) return "wrong";
      const nonce = this.nonces.accept(device.id, f.nonce ?? "", f.nc ?? "");
      return nonce === "replay" ? "wrong" : nonce;
    }
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!match?.[1]) return "wrong";
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return "wrong";
    return decoded.slice(0, colon) === device.id &&
      sameSecret(decoded.slice(colon + 1), device.password)
      ? "ok"
      : "wrong";
  }

  private failed(
    device: TerminalConfig,
    address: string,
    action: "terminal_login_failed" | "terminal_login_throttled",
  ): void {
    this.metrics.badRequests.inc({
      reason: action === "terminal_login_failed" ? "terminal_credentials" : "terminal_throttled",
    });
    this.failures.record(device.id, action, address, null);
  }
}
