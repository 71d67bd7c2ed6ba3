import { LOGIN_LIMITS, LoginThrottle } from "../../common/login-throttle.js";
import type { Account } from "../store/accounts.js";
import type { Store } from "../store/store.js";
import { FailureLog } from "./failure-log.js";

export { LOGIN_LIMITS };

export type LoginResult =
  | { outcome: "ok"; account: Account }
  | { outcome: "refused" }
  | { outcome: "throttled"; retryAfterS: number };

/**
 * Checking an account's password, wherever it is given: the HTTP login and an MQTT integration
 * client (docs/contract.md#devices-over-mqtt's gateway events). One instance per gateway, so the throttling counts every
 * attempt whichever door it came through.
 *
 * Each attempt is counted before its password is checked, synchronously with the check of the
 * limits, so however many guesses arrive at once, at most the limit's number of passwords is
 * ever checked; a right password takes its count back (common/login-throttle.ts: an account
 * past its own limit is slowed, never locked, so no guesser can lock the real admin out at
 * another address). Failures are audited aggregated (failure-log.ts).
 */
export class AccountLogin {
  private readonly throttle = new LoginThrottle();
  private readonly failures: FailureLog;

  constructor(private readonly store: Store) {
    this.failures = new FailureLog(store.audit);
  }

  start(): void {
    this.failures.start();
  }

  stop(): void {
    this.failures.stop();
  }

  async attempt(
    username: string,
    password: string,
    address: string | null,
    via: "http" | "mqtt",
  ): Promise<LoginResult> {
    const from = address ?? "unknown";
    // HTTP logins were audited without `via` before MQTT ones existed; keep them as they were.
    const details = via === "http" ? null : { via };
    const verdict = this.throttle.check(username, from);
    if (!verdict.go) {
      this.failures.record(username, "login_throttled", address, details);
      return { outcome: "throttled", retryAfterS: verdict.retryAfterS };
    }
    if (verdict.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.slowMs));
    const account = await this.store.accounts.authenticate(username, password);
    if (!account) {
      this.failures.record(username, "login_failed", address, details);
      return { outcome: "refused" };
    }
    this.throttle.succeeded(username, from, verdict.counted);
    this.store.audit.record({ actor: account.username, action: "login", address, details });
    return { outcome: "ok", account };
  }
}
