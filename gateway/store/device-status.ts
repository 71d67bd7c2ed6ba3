import { isoTime } from "../../common/time.js";
import type { DomainEvent } from "../domain/events.js";
import type { DeviceStatus } from "../domain/types.js";
import type { Db } from "./database.js";
import { type EventJournal, tableReplaySource } from "./journal.js";

interface StatusRow {
  seq: number;
  ts_ms: number;
  device_id: string;
  checkpoint_id: string;
  online: number;
  reason: string | null;
}

const COLUMNS = "seq, ts_ms, device_id, checkpoint_id, online, reason";

export class DeviceStatusRepository {
  private readonly insertStatement;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO device_status (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    journal.addSource(
      tableReplaySource<StatusRow>(db, "device_status", COLUMNS, (row) => this.toEvent(row)),
    );
  }

  /** Stores a change of a device's status; call inside a transaction. */
  insert(change: {
    device_id: string;
    checkpoint_id: string;
    online: boolean;
    reason: string | null;
    ts_ms: number;
  }): Extract<DomainEvent, { kind: "device_status_changed" }> {
    const row: StatusRow = {
      ...change,
      seq: this.journal.nextSeq(),
      online: change.online ? 1 : 0,
    };
    this.insertStatement.run(
      row.seq,
      row.ts_ms,
      row.device_id,
      row.checkpoint_id,
      row.online,
      row.reason,
    );
    return this.toEvent(row);
  }

  private toEvent(row: StatusRow): Extract<DomainEvent, { kind: "device_status_changed" }> {
    const status: DeviceStatus = {
      id: this.journal.eventId(row.seq),
      seq: row.seq,
      ts: isoTime(row.ts_ms),
      device_id: row.device_id,
      checkpoint_id: row.checkpoint_id,
      online: row.online === 1,
      reason: row.reason,
    };
    return {
      kind: "device_status_changed",
      seq: row.seq,
      checkpointId: row.checkpoint_id,
      status,
    };
  }
}
