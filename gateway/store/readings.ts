import { isoTime } from "../../common/time.js";
import type { DomainEvent } from "../domain/events.js";
import type { Reading, ReadingStatus, TerminalVerdict } from "../domain/types.js";
import type { Db } from "./database.js";
import { type EventJournal, tableReplaySource } from "./journal.js";
import { type Page, type PageCursor, PageReader, type PageRequest } from "./paging.js";

export type NewReading = Omit<
  Reading,
  "id" | "seq" | "ts" | "device_ts_ms" | "terminal_verdict"
> & {
  ts_ms: number;
  device_ts_ms?: number | null;
  terminal_verdict?: TerminalVerdict | null;
};

interface ReadingRow {
  seq: number;
  ts_ms: number;
  device_id: string;
  checkpoint_id: string;
  temp_c: number;
  raw_c: number;
  ambient_c: number | null;
  status: ReadingStatus;
  pass_id: string | null;
  msg_id: string | null;
  device_ts_ms: number | null;
  /** A network terminal's own verdict, as JSON (docs/contract.md#network-terminals-over-http), or null. */
  terminal_verdict: string | null;
}

const COLUMNS =
  "seq, ts_ms, device_id, checkpoint_id, temp_c, raw_c, ambient_c, status, pass_id, msg_id, device_ts_ms, terminal_verdict";

export interface ReadingFilter {
  checkpoint?: string | undefined;
  device?: string | undefined;
  pass_id?: string | undefined;
  status?: ReadingStatus | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: PageCursor | undefined;
  limit: number;
}

export class ReadingRepository {
  private readonly insertStatement;
  private readonly pages: PageReader<ReadingRow>;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO readings (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.pages = new PageReader<ReadingRow>(db, "readings", COLUMNS);
    journal.addSource(
      tableReplaySource<ReadingRow>(db, "readings", COLUMNS, (row) => this.toEvent(row)),
    );
  }

  /**
   * Stores a reading; call inside a transaction. Returns null for a repeated `msg_id` of the
   * same device (a QoS 1 redelivery), which is stored once.
   */
  insert(reading: NewReading): Extract<DomainEvent, { kind: "reading_stored" }> | null {
    const seq = this.journal.nextSeq();
    const verdict = reading.terminal_verdict ? JSON.stringify(reading.terminal_verdict) : null;
    const result = this.insertStatement.run(
      seq,
      reading.ts_ms,
      reading.device_id,
      reading.checkpoint_id,
      reading.temp_c,
      reading.raw_c,
      reading.ambient_c,
      reading.status,
      reading.pass_id,
      reading.msg_id,
      reading.device_ts_ms ?? null,
      verdict,
    );
    return result.changes === 0
      ? null
      : this.toEvent({
          ...reading,
          seq,
          device_ts_ms: reading.device_ts_ms ?? null,
          terminal_verdict: verdict,
        });
  }

  page(filter: ReadingFilter): Page<Reading> {
    const request: PageRequest = {
      equals: {
        checkpoint_id: filter.checkpoint,
        device_id: filter.device,
        pass_id: filter.pass_id,
        status: filter.status,
      },
      fromMs: filter.fromMs,
      toMs: filter.toMs,
      cursor: filter.cursor,
      limit: filter.limit,
    };
    return this.pages.page(request, (row) => this.toReading(row));
  }

  get(seq: number): Reading | undefined {
    const row = this.pages.bySeq(seq);
    return row ? this.toReading(row) : undefined;
  }

  private toEvent(row: ReadingRow): Extract<DomainEvent, { kind: "reading_stored" }> {
    return {
      kind: "reading_stored",
      seq: row.seq,
      checkpointId: row.checkpoint_id,
      reading: this.toReading(row),
    };
  }

  private toReading(row: ReadingRow): Reading {
    return {
      id: this.journal.eventId(row.seq),
      seq: row.seq,
      ts: isoTime(row.ts_ms),
      device_id: row.device_id,
      checkpoint_id: row.checkpoint_id,
      temp_c: row.temp_c,
      raw_c: row.raw_c,
      ambient_c: row.ambient_c,
      status: row.status,
      pass_id: row.pass_id,
      msg_id: row.msg_id,
      device_ts_ms: row.device_ts_ms,
      terminal_verdict:
        row.terminal_verdict === null
          ? null
          : (JSON.parse(row.terminal_verdict) as TerminalVerdict),
    };
  }
}
