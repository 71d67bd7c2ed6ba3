import type { Db } from "./database.js";

export interface OutboxRow {
  seq: number;
  priority: number;
  kind: string;
  payload: string;
  created_at_ms: number;
}

/**
 * The upstream outbox (docs/contract.md#upstream-the-district): rows are added in the same transaction as their event and
 * deleted only after the upstream broker acknowledged them, so a crash at any moment loses
 * nothing (at worst an event is sent twice, and upstream dedupes on its id). What goes in and
 * in which lane is upstream's business (upstream/queue.ts); this is only the table.
 */
export class OutboxRepository {
  private readonly insertStatement;
  private readonly depthStatement;
  private readonly oldestStatement;
  private readonly deleteStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      "INSERT INTO outbox (seq, priority, kind, payload, created_at_ms) VALUES (?, ?, ?, ?, ?)",
    );
    // Kept by triggers in the transactions that add and delete rows (migration 10): O(1).
    this.depthStatement = db
      .prepare<[], number>("SELECT depth FROM outbox_depth WHERE id = 1")
      .pluck();
    // Seqs are handed out in time order, so the oldest row is the first by primary key: one
    // step into the table's own index, however long the queue.
    this.oldestStatement = db
      .prepare<[], number>("SELECT created_at_ms FROM outbox ORDER BY seq LIMIT 1")
      .pluck();
    this.deleteStatement = db.prepare("DELETE FROM outbox WHERE seq = ?");
  }

  /** Queues a payload, serialised here once, under its event's seq; call inside its transaction. */
  add(seq: number, kind: string, priority: number, payload: unknown, nowMs: number): void {
    this.insertStatement.run(seq, priority, kind, JSON.stringify(payload), nowMs);
  }

  /** The next rows to send, most urgent first, then oldest first, leaving out those in flight. */
  next(limit: number, inFlight: ReadonlySet<number>): OutboxRow[] {
    if (limit <= 0) return [];
    const rows = this.db
      .prepare<unknown[], OutboxRow>(
        "SELECT seq, priority, kind, payload, created_at_ms FROM outbox ORDER BY priority, seq LIMIT ?",
      )
      .all(limit + inFlight.size);
    return rows.filter((row) => !inFlight.has(row.seq)).slice(0, limit);
  }

  delete(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.db.transaction(() => {
      for (const seq of seqs) this.deleteStatement.run(seq);
    })();
  }

  depth(): number {
    return this.depthStatement.get() ?? 0;
  }

  oldestMs(): number | null {
    return this.oldestStatement.get() ?? null;
  }
}
