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

/**
 * The gateway-wide event journal (SPEC 1): hands out strictly increasing `seq` numbers and
 * keeps every event's live message, so that a client resuming with `since=` and the upstream
 * forwarder read the same record. Must be written inside the caller's transaction.
 */
export class EventJournal {
  private lastSeq: number;
  private readonly insert;
  private readonly saveLastSeq;
  private readonly selectSince;
  private readonly selectSinceForCheckpoint;

  constructor(
    db: Db,
    readonly gatewayId: string,
  ) {
    const fromMeta = db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").pluck().get() as
      | string
      | undefined;
    const fromEvents = db.prepare("SELECT max(seq) FROM events").pluck().get() as number | null;
    // The meta row survives retention emptying the journal, so seq never goes back.
    this.lastSeq = Math.max(Number(fromMeta ?? 0), fromEvents ?? 0);
    this.insert = db.prepare(
      "INSERT INTO events (seq, ts_ms, type, checkpoint_id, message) VALUES (?, ?, ?, ?, ?)",
    );
    this.saveLastSeq = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.selectSince = db
      .prepare("SELECT message FROM events WHERE seq > ? ORDER BY seq DESC LIMIT ?")
      .pluck();
    this.selectSinceForCheckpoint = db
      .prepare(
        "SELECT message FROM events WHERE checkpoint_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?",
      )
      .pluck();
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

  append<D extends { seq: number }>(
    type: LiveEventType,
    checkpointId: string | null,
    tsMs: number,
    data: D,
  ): StoredEvent {
    const message: LiveMessage<D> = {
      type,
      seq: data.seq,
      ts: new Date(tsMs).toISOString(),
      checkpoint_id: checkpointId,
      data,
    };
    const json = JSON.stringify(message);
    this.insert.run(data.seq, tsMs, type, checkpointId, json);
    return { seq: data.seq, type, checkpointId, message, json };
  }

  /** Records the highest seq handed out; call once per transaction. */
  persistSeq(): void {
    this.saveLastSeq.run(String(this.lastSeq));
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
    const rows = (
      checkpointId === undefined
        ? this.selectSince.all(since, limit + 1)
        : this.selectSinceForCheckpoint.all(checkpointId, since, limit + 1)
    ) as string[];
    const truncated = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse(), truncated };
  }
}
