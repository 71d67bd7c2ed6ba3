/**
 * Failed-login throttling (pure state, injected clock): after `maxFailures` failures for one
 * username or one client address within `windowMs`, further attempts are refused until the
 * window has passed, so passwords cannot be guessed at speed. A success clears the username.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0. */
  retryAfterS(keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
      this.failures.set(key, recent);
      if (recent.length >= this.maxFailures)
        wait = Math.max(wait, (recent[0] as number) + this.windowMs - now);
    }
    return Math.ceil(wait / 1000);
  }

  failed(keys: string[]): void {
    const now = this.now();
    for (const key of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
