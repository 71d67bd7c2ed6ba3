import type { DomainEvent } from "../domain/events.js";
import type { Db } from "./database.js";

/** A table of events that live clients can resume from. */
export interface ReplaySource {
  /** The newest `limit` events after `since`, newest first. */
  since(since: number, limit: number, checkpointId?: string): DomainEvent[];
  /** The oldest `limit` events with `after < seq <= until`, oldest first. */
  page(after: number, until: number, limit: number, checkpointId?: string): DomainEvent[];
  /** How many events have `after < seq <= until`. */
  count(after: number, until: number, checkpointId?: string): number;
}

/**
 * The gateway-wide event journal (docs/contract.md#identity-and-order): the one source of `seq` for every event, whatever
 * table it lands in (readings, scans, passages, alert changes, device status, summaries, and
 * anything added later).
 *
 * Why a seq is never handed out twice, by construction rather than by a list of tables:
 * - a seq can only be taken inside a transaction (`nextSeq` refuses otherwise), and every
 *   transaction runs through `transaction()`, which writes the highest seq handed out to the
 *   `meta` row before it commits; so whatever is committed, its high-water mark is committed
 *   with it, and a rolled-back transaction leaves only a gap;
 * - at open, the journal also takes the largest `seq` of every table that has a `seq` column
 *   (found in the schema, not listed here), which covers a file written before the meta row
 *   was kept in every transaction.
 */
export class EventJournal {
  private lastSeq: number;
  private savedSeq: number;
  private readonly sources: ReplaySource[] = [];
  private readonly saveHighWater;

  constructor(
    private readonly db: Db,
    readonly gatewayId: string,
  ) {
    const fromMeta = db
      .prepare<unknown[], string>("SELECT value FROM meta WHERE key = 'last_seq'")
      .pluck()
      .get();
    const fromTables = tablesWithSeq(db).map(
      (table) =>
        db.prepare<unknown[], number | null>(`SELECT max(seq) FROM "${table}"`).pluck().get() ?? 0,
    );
    this.lastSeq = Math.max(Number(fromMeta ?? 0), ...fromTables);
    this.savedSeq = Number(fromMeta ?? 0);
    this.saveHighWater = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  get currentSeq(): number {
    return this.lastSeq;
  }

  /**
   * Reserves the next seq; only inside `transaction()`. A reservation whose transaction rolls
   * back leaves a gap, which is allowed (a repeat is not).
   */
  nextSeq(): number {
    if (!this.db.inTransaction) throw new Error("a seq is taken only inside a transaction");
    this.lastSeq += 1;
    return this.lastSeq;
  }

  eventId(seq: number): string {
    return `${this.gatewayId}:${seq}`;
  }

  /**
   * Runs `write` in one transaction (nested calls join the outer one) and, before it commits,
   * records the highest seq handed out, so a restart continues above it.
   */
  transaction<T>(write: () => T): T {
    if (this.db.inTransaction) return write();
    return this.db.transaction(() => {
      const result = write();
      if (this.lastSeq > this.savedSeq) {
        this.saveHighWater.run(String(this.lastSeq));
        this.savedSeq = this.lastSeq;
      }
      return result;
    })();
  }

  addSource(source: ReplaySource): void {
    this.sources.push(source);
  }

  /**
   * One page of a replay: the oldest `limit` events with `after < seq <= until`, oldest first,
   * optionally of one checkpoint. A client is replayed page by page, so a long replay never
   * holds the event loop (each page is a few index range reads).
   */
  page(after: number, until: number, limit: number, checkpointId?: string): DomainEvent[] {
    return this.sources
      .flatMap((source) => source.page(after, until, limit, checkpointId))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  /** How many events have `after < seq <= until`, optionally of one checkpoint. */
  count(after: number, until: number, checkpointId?: string): number {
    return this.sources.reduce((sum, source) => sum + source.count(after, until, checkpointId), 0);
  }

  /**
   * The newest `limit` events after `since`, oldest first; optionally only those of one
   * checkpoint. `truncated` says older missed events were left out.
   */
  since(
    since: number,
    limit: number,
    checkpointId?: string,
  ): { events: DomainEvent[]; truncated: boolean } {
    const newestFirst = this.sources
      .flatMap((source) => source.since(since, limit + 1, checkpointId))
      .sort((a, b) => b.seq - a.seq);
    return {
      events: newestFirst.slice(0, limit).reverse(),
      truncated: newestFirst.length > limit,
    };
  }
}

/** Every table with a `seq` column: each holds seqs handed out by the journal. */
function tablesWithSeq(db: Db): string[] {
  const tables = db
    .prepare<unknown[], string>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .pluck()
    .all();
  return tables.filter((table) =>
    (db.pragma(`table_info("${table}")`) as { name: string }[]).some((c) => c.name === "seq"),
  );
}

/** A replay source over one table with `seq` and `checkpoint_id` columns. */
export function tableReplaySource<Row>(
  db: Db,
  table: string,
  columns: string,
  toEvent: (row: Row) => DomainEvent,
): ReplaySource {
  const all = db.prepare<unknown[], Row>(
    `SELECT ${columns} FROM ${table} WHERE seq > ? ORDER BY seq DESC LIMIT ?`,
  );
  const ofCheckpoint = db.prepare<unknown[], Row>(
    `SELECT ${columns} FROM ${table} WHERE checkpoint_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?`,
  );
  const pageAll = db.prepare<unknown[], Row>(
    `SELECT ${columns} FROM ${table} WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
  );
  const pageOfCheckpoint = db.prepare<unknown[], Row>(
    `SELECT ${columns} FROM ${table} WHERE checkpoint_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
  );
  const countAll = db
    .prepare<unknown[], number>(`SELECT count(*) FROM ${table} WHERE seq > ? AND seq <= ?`)
    .pluck();
  const countOfCheckpoint = db
    .prepare<unknown[], number>(
      `SELECT count(*) FROM ${table} WHERE checkpoint_id = ? AND seq > ? AND seq <= ?`,
    )
    .pluck();
  return {
    page(after, until, limit, checkpointId) {
      const rows =
        checkpointId === undefined
          ? pageAll.all(after, until, limit)
          : pageOfCheckpoint.all(checkpointId, after, until, limit);
      return rows.map(toEvent);
    },
    count(after, until, checkpointId) {
      return (
        (checkpointId === undefined
          ? countAll.get(after, until)
          : countOfCheckpoint.get(checkpointId, after, until)) ?? 0
      );
    },
    since(since, limit, checkpointId) {
      const rows =
        checkpointId === undefined
          ? all.all(since, limit)
          : ofCheckpoint.all(checkpointId, since, limit);
      return rows.map(toEvent);
    },
  };
}
