import type { Scan, ScanInput } from "../domain/types.js";
import type { Db } from "./database.js";
import type { EventJournal, StoredEvent } from "./journal.js";

export class ScanRepository {
  private readonly insertStatement;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO scans (seq, ts_ms, device_id, checkpoint_id, pass_id, method, msg_id)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
  }

  /** Stores a scan and its journal event; null for a repeated msg_id. Call inside a transaction. */
  insert(scan: ScanInput & { checkpoint_id: string }): StoredEvent | null {
    const seq = this.journal.nextSeq();
    const result = this.insertStatement.run(
      seq,
      scan.ts_ms,
      scan.device_id,
      scan.checkpoint_id,
      scan.pass_id,
      scan.method,
      scan.msg_id,
    );
    if (result.changes === 0) return null;
    const stored: Scan = {
      id: this.journal.eventId(seq),
      seq,
      ts: new Date(scan.ts_ms).toISOString(),
      device_id: scan.device_id,
      checkpoint_id: scan.checkpoint_id,
      pass_id: scan.pass_id,
      method: scan.method,
      msg_id: scan.msg_id,
    };
    return this.journal.append("scan", scan.checkpoint_id, scan.ts_ms, stored);
  }
}
