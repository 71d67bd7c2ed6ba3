import type { Account } from "../store/accounts.js";
import type { Store } from "../store/store.js";
import { LoginLimiter } from "./login-limiter.js";

export type LoginResult =
  | { outcome: "ok"; account: Account }
  | { outcome: "refused" }
  | { outcome: "throttled"; retryAfterS: number };

/**
 * Checking an account's password, wherever it is given: the HTTP login and an MQTT integration
 * client (SPEC 4's gateway events). One instance per gateway, so the throttling counts every
 * failure whichever door it came through: 5 per account, 30 per address in 15 minutes (one guard
 * mistyping does not lock out a guard room behind one address). Every attempt is audited.
 */
export class AccountLogin {
  private readonly perUser = new LoginLimiter(5);
  private readonly perAddress = new LoginLimiter(30);

  constructor(private readonly store: Store) {}

  async attempt(
    username: string,
    password: string,
    address: string | null,
    via: "http" | "mqtt",
  ): Promise<LoginResult> {
    const user = [`user:${username}`];
    const from = [`ip:${address ?? "unknown"}`];
    // HTTP logins were audited without `via` before MQTT ones existed; keep them as they were.
    const details = via === "http" ? null : { via };
    const wait = Math.max(this.perUser.retryAfterS(user), this.perAddress.retryAfterS(from));
    if (wait > 0) {
      this.store.audit.record({ actor: username, action: "login_throttled", address, details });
      return { outcome: "throttled", retryAfterS: wait };
    }
    const account = await this.store.accounts.authenticate(username, password);
    if (!account) {
      this.store.audit.record({ actor: username, action: "login_failed", address, details });
      this.perUser.failed(user);
      this.perAddress.failed(from);
      return { outcome: "refused" };
    }
    this.perUser.succeeded(`user:${username}`);
    this.store.audit.record({ actor: account.username, action: "login", address, details });
    return { outcome: "ok", account };
  }
}
