import { isoTime } from "../../common/time.js";
import type { DomainEvent } from "../domain/events.js";
import type { Scan, ScanInput } from "../domain/types.js";
import type { Db } from "./database.js";
import { type EventJournal, tableReplaySource } from "./journal.js";
import { PageReader } from "./paging.js";

interface ScanRow {
  seq: number;
  ts_ms: number;
  device_id: string;
  checkpoint_id: string;
  pass_id: string;
  method: Scan["method"];
  msg_id: string | null;
  device_ts_ms: number | null;
}

const COLUMNS = "seq, ts_ms, device_id, checkpoint_id, pass_id, method, msg_id, device_ts_ms";

export class ScanRepository {
  private readonly insertStatement;
  private readonly rows: PageReader<ScanRow>;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO scans (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    journal.addSource(tableReplaySource<ScanRow>(db, "scans", COLUMNS, (row) => this.toEvent(row)));
    this.rows = new PageReader<ScanRow>(db, "scans", COLUMNS);
  }

  get(seq: number): Scan | undefined {
    const row = this.rows.bySeq(seq);
    return row ? this.toEvent(row).scan : undefined;
  }

  /** Stores a scan; null for a repeated msg_id. Call inside a transaction. */
  insert(
    scan: ScanInput & { checkpoint_id: string },
  ): Extract<DomainEvent, { kind: "scan_stored" }> | null {
    const seq = this.journal.nextSeq();
    const row: ScanRow = {
      seq,
      ts_ms: scan.ts_ms,
      device_id: scan.device_id,
      checkpoint_id: scan.checkpoint_id,
      pass_id: scan.pass_id,
      method: scan.method,
      msg_id: scan.msg_id,
      device_ts_ms: scan.device_ts_ms ?? null,
    };
    const result = this.insertStatement.run(
      row.seq,
      row.ts_ms,
      row.device_id,
      row.checkpoint_id,
      row.pass_id,
      row.method,
      row.msg_id,
      row.device_ts_ms,
    );
    return result.changes === 0 ? null : this.toEvent(row);
  }

  private toEvent(row: ScanRow): Extract<DomainEvent, { kind: "scan_stored" }> {
    const scan: Scan = {
      id: this.journal.eventId(row.seq),
      seq: row.seq,
      ts: isoTime(row.ts_ms),
      device_id: row.device_id,
      checkpoint_id: row.checkpoint_id,
      pass_id: row.pass_id,
      method: row.method,
      msg_id: row.msg_id,
      device_ts_ms: row.device_ts_ms,
    };
    return { kind: "scan_stored", seq: row.seq, checkpointId: row.checkpoint_id, scan };
  }
}
