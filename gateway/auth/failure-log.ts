import type { AuditRepository } from "../store/audit.js";

interface Pending {
  actor: string;
  action: string;
  address: string | null;
  details: Record<string, unknown> | null;
  /** Failures since the last row written for this key. */
  count: number;
  lastRowMs: number;
}

/**
 * Failed and throttled logins in the audit log, aggregated: the first failure of an account at
 * an address is written at once, later ones at most once per `everyMs` as one row with their
 * `count`, so a password-guessing storm cannot fill the append-only audit log (it once wrote
 * 20,000 rows in 32 s). Bounded: past `maxKeys` the oldest key is written out and forgotten.
 */
export class FailureLog {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly audit: Pick<AuditRepository, "record">,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(false), this.everyMs);
    this.timer.unref();
  }

  /** Writes every count still pending (at stop). */
  stop(): void {
    clearInterval(this.timer);
    this.flush(true);
  }

  record(
    actor: string,
    action:
      | "login_failed"
      | "login_throttled"
      | "terminal_login_failed"
      | "terminal_login_throttled",
    address: string | null,
    details: Record<string, unknown> | null,
  ): void {
    const key = JSON.stringify([action, actor, address, details]);
    const now = this.now();
    const entry = this.pending.get(key);
    if (!entry) {
      this.write({ actor, action, address, details, count: 1, lastRowMs: now });
      this.pending.set(key, { actor, action, address, details, count: 0, lastRowMs: now });
      this.bound();
      return;
    }
    entry.count += 1;
    if (now - entry.lastRowMs >= this.everyMs) this.writePending(entry, now);
  }

  /** Writes the counts whose row is due (or all); forgets keys quiet for a whole period. */
  private flush(all: boolean): void {
    const now = this.now();
    for (const [key, entry] of this.pending) {
      if (entry.count > 0 && (all || now - entry.lastRowMs >= this.everyMs))
        this.writePending(entry, now);
      else if (entry.count === 0 && now - entry.lastRowMs >= this.everyMs) this.pending.delete(key);
    }
  }

  private bound(): void {
    while (this.pending.size > this.maxKeys) {
      const [key, entry] = this.pending.entries().next().value as [string, Pending];
      if (entry.count > 0) this.writePending(entry, this.now());
      this.pending.delete(key);
    }
  }

  private writePending(entry: Pending, now: number): void {
    this.write({ ...entry, lastRowMs: now });
    entry.count = 0;
    entry.lastRowMs = now;
  }

  private write(entry: Pending): void {
    this.audit.record({
      actor: entry.actor,
      action: entry.action,
      address: entry.address,
      details: entry.count === 1 ? entry.details : { ...entry.details, count: entry.count },
    });
  }
}
