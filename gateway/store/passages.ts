import { isoTime } from "../../common/time.js";
import type { DomainEvent } from "../domain/events.js";
import type { Passage, PassageDecision, PassageReason } from "../domain/types.js";
import type { Db } from "./database.js";
import { type EventJournal, tableReplaySource } from "./journal.js";
import { type Page, type PageCursor, PageReader } from "./paging.js";

interface PassageRow {
  seq: number;
  ts_ms: number;
  checkpoint_id: string;
  pass_id: string | null;
  holder_name: string | null;
  reading_id: string | null;
  scan_id: string | null;
  temp_c: number | null;
  decision: PassageDecision;
  reasons: string;
}

const COLUMNS =
  "seq, ts_ms, checkpoint_id, pass_id, holder_name, reading_id, scan_id, temp_c, decision, reasons";

export type NewPassage = Omit<PassageRow, "seq" | "reasons"> & { reasons: PassageReason[] };

export class PassageRepository {
  private readonly insertStatement;
  private readonly pages: PageReader<PassageRow>;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO passages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.pages = new PageReader<PassageRow>(db, "passages", COLUMNS);
    journal.addSource(
      tableReplaySource<PassageRow>(db, "passages", COLUMNS, (row) => this.toEvent(row)),
    );
  }

  page(filter: {
    checkpoint?: string | undefined;
    pass_id?: string | undefined;
    decision?: PassageDecision | undefined;
    reason?: PassageReason | undefined;
    fromMs?: number | undefined;
    toMs?: number | undefined;
    cursor?: PageCursor | undefined;
    limit: number;
  }): Page<Passage> {
    return this.pages.page(
      {
        equals: {
          checkpoint_id: filter.checkpoint,
          pass_id: filter.pass_id,
          decision: filter.decision,
        },
        listHas: { reasons: filter.reason },
        fromMs: filter.fromMs,
        toMs: filter.toMs,
        cursor: filter.cursor,
        limit: filter.limit,
      },
      (row) => this.toEvent(row).passage,
    );
  }

  get(seq: number): Passage | undefined {
    const row = this.pages.bySeq(seq);
    return row ? this.toEvent(row).passage : undefined;
  }

  /** Stores a passage; call inside a transaction. */
  insert(passage: NewPassage): Extract<DomainEvent, { kind: "passage_decided" }> {
    const row: PassageRow = {
      ...passage,
      seq: this.journal.nextSeq(),
      reasons: passage.reasons.join(","),
    };
    this.insertStatement.run(
      row.seq,
      row.ts_ms,
      row.checkpoint_id,
      row.pass_id,
      row.holder_name,
      row.reading_id,
      row.scan_id,
      row.temp_c,
      row.decision,
      row.reasons,
    );
    return this.toEvent(row);
  }

  private toEvent(row: PassageRow): Extract<DomainEvent, { kind: "passage_decided" }> {
    const passage: Passage = {
      id: this.journal.eventId(row.seq),
      seq: row.seq,
      ts: isoTime(row.ts_ms),
      checkpoint_id: row.checkpoint_id,
      pass_id: row.pass_id,
      holder_name: row.holder_name,
      reading_id: row.reading_id,
      scan_id: row.scan_id,
      temp_c: row.temp_c,
      decision: row.decision,
      reasons: row.reasons === "" ? [] : (row.reasons.split(",") as PassageReason[]),
    };
    return { kind: "passage_decided", seq: row.seq, checkpointId: row.checkpoint_id, passage };
  }
}
