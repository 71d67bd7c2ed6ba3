import { LoginLimiter } from "../../common/login-limiter.js";
import type { Account } from "../store/accounts.js";
import type { Store } from "../store/store.js";
import { FailureLog } from "./failure-log.js";

export type LoginResult =
  | { outcome: "ok"; account: Account }
  | { outcome: "refused" }
  | { outcome: "throttled"; retryAfterS: number };

/** How many attempts each throttle allows in 15 minutes. */
export const LOGIN_LIMITS = {
  /** One account from one address: a person mistyping, or one guesser. */
  accountAtAddress: 5,
  /** One address, whatever the account (a guard room behind one address). */
  address: 30,
  /** One account from anywhere: a ceiling against guessing from many addresses. */
  account: 100,
} as const;

/**
 * Checking an account's password, wherever it is given: the HTTP login and an MQTT integration
 * client (docs/contract.md#devices-over-mqtt's gateway events). One instance per gateway, so the throttling counts every
 * attempt whichever door it came through.
 *
 * Each attempt is counted before its password is checked, synchronously with the check of the
 * limits, so however many guesses arrive at once, at most the limit's number of passwords is
 * ever checked; a right password takes its count back. The throttles are per account at an
 * address, per address, and (much higher) per account, so a guesser at one address cannot lock
 * the real admin out at another. Failures are audited aggregated (failure-log.ts).
 */
export class AccountLogin {
  private readonly perAccountAtAddress = new LoginLimiter(LOGIN_LIMITS.accountAtAddress);
  private readonly perAddress = new LoginLimiter(LOGIN_LIMITS.address);
  private readonly perAccount = new LoginLimiter(LOGIN_LIMITS.account);
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
    const keys: [LoginLimiter, string[]][] = [
      [this.perAccountAtAddress, [`${username}@${from}`]],
      [this.perAddress, [from]],
      [this.perAccount, [username]],
    ];
    // HTTP logins were audited without `via` before MQTT ones existed; keep them as they were.
    const details = via === "http" ? null : { via };
    const wait = Math.max(...keys.map(([limiter, key]) => limiter.retryAfterS(key)));
    if (wait > 0) {
      this.failures.record(username, "login_throttled", address, details);
      return { outcome: "throttled", retryAfterS: wait };
    }
    // Counted now, before the slow check: nothing can slip in between (no await above).
    const counted = keys.map(([limiter, key]) => limiter.count(key));
    const account = await this.store.accounts.authenticate(username, password);
    if (!account) {
      this.failures.record(username, "login_failed", address, details);
      return { outcome: "refused" };
    }
    for (const [i, [limiter, key]] of keys.entries()) limiter.uncount(key, counted[i] ?? 0);
    this.perAccountAtAddress.clear(`${username}@${from}`);
    this.store.audit.record({ actor: account.username, action: "login", address, details });
    return { outcome: "ok", account };
  }
}
