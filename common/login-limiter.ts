/**
 * Failed-login throttling (pure state, injected clock): after `maxFailures` attempts counted
 * against one key within `windowMs`, further attempts are refused until the window has passed.
 *
 * An attempt is counted *before* its password is checked (`count`, synchronously, right after
 * `retryAfterS`): a password check is a slow scrypt, and counting after it let a burst of
 * concurrent guesses all pass the check before any was counted. A correct password then takes
 * its own count back (`uncount`). The state is bounded: keys whose attempts are all older than
 * the window are dropped, and past `maxKeys` the oldest keys go first.
 */
export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();
  private callsSinceSweep = 0;

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Keys tracked now (for tests and metrics). */
  get size(): number {
    return this.attempts.size;
  }

  /** Seconds to wait before trying again, or 0. */
  retryAfterS(keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.maxFailures)
        wait = Math.max(wait, (recent[0] ?? now) + this.windowMs - now);
    }
    return Math.ceil(wait / 1000);
  }

  /** Counts an attempt against each key; returns the time it was counted at (for `uncount`). */
  count(keys: string[]): number {
    const now = this.now();
    for (const key of keys) {
      const recent = this.recent(key, now);
      // Re-inserted so that the Map's order is oldest-touched first (for the cap below).
      this.attempts.delete(key);
      this.attempts.set(key, [...recent, now]);
    }
    this.sweep(now);
    return now;
  }

  /** Takes back one attempt counted at `at` (the password was right). */
  uncount(keys: string[], at: number): void {
    for (const key of keys) {
      const times = this.attempts.get(key);
      if (!times) continue;
      const i = times.indexOf(at);
      if (i >= 0) times.splice(i, 1);
      if (times.length === 0) this.attempts.delete(key);
    }
  }

  /** Forgets a key (a successful login clears its account's failures at that address). */
  clear(key: string): void {
    this.attempts.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = this.attempts.get(key);
    if (!times) return [];
    const recent = times.filter((t) => now - t < this.windowMs);
    if (recent.length === 0) this.attempts.delete(key);
    else if (recent.length !== times.length) this.attempts.set(key, recent);
    return recent;
  }

  /** Drops expired keys now and then, and the oldest ones past the cap. */
  private sweep(now: number): void {
    if (++this.callsSinceSweep >= 1000) {
      this.callsSinceSweep = 0;
      for (const key of [...this.attempts.keys()]) this.recent(key, now);
    }
    while (this.attempts.size > this.maxKeys) {
      const oldest = this.attempts.keys().next().value;
      if (oldest === undefined) break;
      this.attempts.delete(oldest);
    }
  }
}
