import type { DeviceStatus } from "../domain/types.js";
import type { Db } from "./database.js";
import type { EventJournal, StoredEvent } from "./journal.js";

export class DeviceStatusRepository {
  private readonly insertStatement;

  constructor(
    db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertStatement = db.prepare(
      "INSERT INTO device_status (seq, ts_ms, device_id, checkpoint_id, online, reason) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  /** Stores a change of a device's status and its journal event; call inside a transaction. */
  insert(change: {
    device_id: string;
    checkpoint_id: string;
    online: boolean;
    reason: string | null;
    ts_ms: number;
  }): StoredEvent {
    const seq = this.journal.nextSeq();
    this.insertStatement.run(
      seq,
      change.ts_ms,
      change.device_id,
      change.checkpoint_id,
      change.online ? 1 : 0,
      change.reason,
    );
    const status: DeviceStatus = {
      id: this.journal.eventId(seq),
      seq,
      ts: new Date(change.ts_ms).toISOString(),
      device_id: change.device_id,
      checkpoint_id: change.checkpoint_id,
      online: change.online,
      reason: change.reason,
    };
    return this.journal.append("device_status", change.checkpoint_id, change.ts_ms, status);
  }
}
