import type { Db } from "./database.js";
import type { StoredEvent } from "./journal.js";

export interface OutboxRow {
  seq: number;
  priority: number;
  kind: string;
  payload: string;
  created_at_ms: number;
}

/**
 * The upstream outbox (SPEC 6): rows are added in the same transaction as their event and
 * deleted only after the upstream broker acknowledged them, so a crash at any moment loses
 * nothing (at worst an event is sent twice, and upstream dedupes on its id).
 */
export class OutboxRepository {
  private readonly insertStatement;
  private readonly depthStatement;
  private readonly oldestStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      "INSERT INTO outbox (seq, priority, kind, payload, created_at_ms) VALUES (?, ?, ?, ?, ?)",
    );
    this.depthStatement = db.prepare("SELECT count(*) FROM outbox").pluck();
    this.oldestStatement = db.prepare("SELECT min(created_at_ms) FROM outbox").pluck();
  }

  /** Queues an event; call inside the transaction that stores it. */
  add(event: StoredEvent, kind: string, priority: number, nowMs: number): void {
    this.addPayload(event.seq, kind, priority, event.message.data, nowMs);
  }

  /** Queues something that is not a live event (a daily summary) under its own seq. */
  addPayload(seq: number, kind: string, priority: number, payload: unknown, nowMs: number): void {
    this.insertStatement.run(seq, priority, kind, JSON.stringify(payload), nowMs);
  }

  /** The next rows to send, most urgent first, then oldest first, leaving out those in flight. */
  next(limit: number, inFlight: ReadonlySet<number>): OutboxRow[] {
    if (limit <= 0) return [];
    const rows = this.db
      .prepare(
        "SELECT seq, priority, kind, payload, created_at_ms FROM outbox ORDER BY priority, seq LIMIT ?",
      )
      .all(limit + inFlight.size) as OutboxRow[];
    return rows.filter((row) => !inFlight.has(row.seq)).slice(0, limit);
  }

  delete(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    const statement = this.db.prepare("DELETE FROM outbox WHERE seq = ?");
    this.db.transaction(() => {
      for (const seq of seqs) statement.run(seq);
    })();
  }

  depth(): number {
    return this.depthStatement.get() as number;
  }

  oldestMs(): number | null {
    return (this.oldestStatement.get() as number | null) ?? null;
  }
}
