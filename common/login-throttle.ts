import { LoginLimiter } from "./login-limiter.js";

/** How many failed attempts each throttle allows in 15 minutes. */
export const LOGIN_LIMITS = {
  /** One account from one address: a person mistyping, or one guesser. */
  accountAtAddress: 5,
  /** One address, whatever the account (a guard room behind one address). */
  address: 30,
  /** One account from anywhere: past this every attempt on it is slowed, never refused. */
  account: 100,
} as const;

/** How long an attempt on an account past its own limit waits before its password is checked. */
export const SLOWED_MS = 1000;

export type ThrottleVerdict =
  | { go: true; slowMs: number; counted: number[] }
  | { go: false; retryAfterS: number };

/**
 * Login throttling of the gateway's and the district's accounts (pure state, injected clock):
 * per account at an address and per address attempts are refused past their limits; per account
 * alone they are only slowed, so a guesser at one address, or at many, cannot lock the real
 * owner out at another. Each attempt is counted before its password is checked (`check`, then no
 * await before the check), so however many guesses arrive at once, at most the limit's number
 * of passwords is ever checked; a right password takes its counts back (`succeeded`).
 */
export class LoginThrottle {
  private readonly perAccountAtAddress: LoginLimiter;
  private readonly perAddress: LoginLimiter;
  private readonly perAccount: LoginLimiter;

  constructor(now: () => number = Date.now) {
    const window = 15 * 60_000;
    this.perAccountAtAddress = new LoginLimiter(LOGIN_LIMITS.accountAtAddress, window, now);
    this.perAddress = new LoginLimiter(LOGIN_LIMITS.address, window, now);
    this.perAccount = new LoginLimiter(LOGIN_LIMITS.account, window, now);
  }

  private keys(username: string, address: string): [LoginLimiter, string[]][] {
    return [
      [this.perAccountAtAddress, [`${username}@${address}`]],
      [this.perAddress, [address]],
      [this.perAccount, [username]],
    ];
  }

  check(username: string, address: string): ThrottleVerdict {
    const wait = Math.max(
      this.perAccountAtAddress.retryAfterS([`${username}@${address}`]),
      this.perAddress.retryAfterS([address]),
    );
    if (wait > 0) return { go: false, retryAfterS: wait };
    const slowMs = this.perAccount.retryAfterS([username]) > 0 ? SLOWED_MS : 0;
    return {
      go: true,
      slowMs,
      counted: this.keys(username, address).map(([limiter, key]) => limiter.count(key)),
    };
  }

  succeeded(username: string, address: string, counted: number[]): void {
    for (const [i, [limiter, key]] of this.keys(username, address).entries())
      limiter.uncount(key, counted[i] ?? 0);
    this.perAccountAtAddress.clear(`${username}@${address}`);
  }
}
