import { isoTime } from "../../common/time.js";
import type { AlertDraft } from "../domain/alert-rules.js";
import type { AlertChange, DomainEvent } from "../domain/events.js";
import type { Alert, AlertKind, AlertState, Disposition } from "../domain/types.js";
import type { Db } from "./database.js";
import { type EventJournal, tableReplaySource } from "./journal.js";
import { type Page, type PageCursor, PageReader } from "./paging.js";

interface AlertRow {
  alert_id: string;
  seq: number;
  kind: AlertKind;
  state: AlertState;
  checkpoint_id: string | null;
  device_id: string | null;
  passage_id: string | null;
  reading_id: string | null;
  pass_id: string | null;
  temp_c: number | null;
  opened_at_ms: number;
  acknowledged_by: string | null;
  acknowledged_at_ms: number | null;
  resolved_by: string | null;
  resolved_at_ms: number | null;
  disposition: Disposition | null;
  confirm_temp_c: number | null;
  note: string | null;
}

const COLUMNS =
  "alert_id, seq, kind, state, checkpoint_id, device_id, passage_id, reading_id, pass_id, temp_c, opened_at_ms, acknowledged_by, acknowledged_at_ms, resolved_by, resolved_at_ms, disposition, confirm_temp_c, note";

/** An alert to open: decided by domain/alert-rules.ts. */
export type NewAlert = AlertDraft;

export interface AlertFilter {
  state?: AlertState | undefined;
  kind?: AlertKind | undefined;
  checkpoint?: string | undefined;
  device?: string | undefined;
  pass_id?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: PageCursor | undefined;
  limit: number;
}

/** A change an alert cannot take: unknown, or already past that state. */
export class AlertConflict extends Error {}

/** Alerts (docs/contract.md#identity-and-order): the current state of each, and every change as an event. */
export class AlertRepository {
  private readonly insertAlert;
  private readonly insertEvent;
  private readonly selectOne;
  private readonly selectActive;
  private readonly pages: PageReader<AlertRow>;

  constructor(
    private readonly db: Db,
    private readonly journal: EventJournal,
  ) {
    this.insertAlert = db.prepare(
      `INSERT INTO alerts (${COLUMNS}) VALUES (${COLUMNS.split(",")
        .map(() => "?")
        .join(", ")})`,
    );
    this.insertEvent = db.prepare(
      "INSERT INTO alert_events (seq, ts_ms, type, alert_id, checkpoint_id, snapshot) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.pages = new PageReader<AlertRow>(db, "alerts", COLUMNS, "opened_at_ms");
    this.selectOne = db.prepare<[string], AlertRow>(
      `SELECT ${COLUMNS} FROM alerts WHERE alert_id = ?`,
    );
    this.selectActive = db.prepare<[], AlertRow>(
      `SELECT ${COLUMNS} FROM alerts WHERE state != 'resolved' ORDER BY seq DESC LIMIT 500`,
    );
    journal.addSource(
      tableReplaySource<{
        seq: number;
        ts_ms: number;
        type: "alert" | "alert_update";
        alert_id: string;
        checkpoint_id: string | null;
        snapshot: string;
      }>(db, "alert_events", "seq, ts_ms, type, alert_id, checkpoint_id, snapshot", (row) =>
        this.changeEvent(row.type, row.seq, row.ts_ms, row.alert_id, row.checkpoint_id, {
          ...(JSON.parse(row.snapshot) as Alert),
          alert_id: row.alert_id,
        }),
      ),
    );
  }

  /** Opens an alert; call inside a transaction. */
  open(alert: NewAlert): DomainEvent {
    const seq = this.journal.nextSeq();
    const row: AlertRow = {
      alert_id: this.journal.eventId(seq),
      seq,
      kind: alert.kind,
      state: "open",
      checkpoint_id: alert.checkpoint_id,
      device_id: alert.device_id,
      passage_id: alert.passage_id,
      reading_id: alert.reading_id,
      pass_id: alert.pass_id,
      temp_c: alert.temp_c,
      opened_at_ms: alert.ts_ms,
      acknowledged_by: null,
      acknowledged_at_ms: null,
      resolved_by: null,
      resolved_at_ms: null,
      disposition: null,
      confirm_temp_c: null,
      note: null,
    };
    this.insertAlert.run(...COLUMNS.split(", ").map((column) => row[column as keyof AlertRow]));
    return this.record("alert", seq, alert.ts_ms, row);
  }

  acknowledge(alertId: string, by: string, nowMs: number): DomainEvent {
    const row = this.current(alertId);
    if (row.state !== "open") throw new AlertConflict(`alert ${alertId} is ${row.state}, not open`);
    this.db
      .prepare(
        "UPDATE alerts SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at_ms = ? WHERE alert_id = ?",
      )
      .run(by, nowMs, alertId);
    return this.record("alert_update", this.journal.nextSeq(), nowMs, this.current(alertId));
  }

  /** Resolves an open or acknowledged alert (resolving one also acknowledges it). */
  resolve(
    alertId: string,
    by: string,
    nowMs: number,
    outcome: {
      disposition: Disposition | null;
      confirm_temp_c: number | null;
      note: string | null;
    },
  ): DomainEvent {
    const row = this.current(alertId);
    if (row.state === "resolved") throw new AlertConflict(`alert ${alertId} is resolved already`);
    this.db
      .prepare(
        `UPDATE alerts SET state = 'resolved', acknowledged_by = coalesce(acknowledged_by, ?), acknowledged_at_ms = coalesce(acknowledged_at_ms, ?),
         resolved_by = ?, resolved_at_ms = ?, disposition = ?, confirm_temp_c = ?, note = ? WHERE alert_id = ?`,
      )
      .run(
        by,
        nowMs,
        by,
        nowMs,
        outcome.disposition,
        outcome.confirm_temp_c,
        outcome.note,
        alertId,
      );
    return this.record("alert_update", this.journal.nextSeq(), nowMs, this.current(alertId));
  }

  get(alertId: string): Alert | undefined {
    const row = this.selectOne.get(alertId);
    return row ? toAlert(row) : undefined;
  }

  /** The alerts raised by a passage or by its reading (a fever is raised before its passage). */
  forPassage(passageId: string, readingId: string | null): Alert[] {
    return this.db
      .prepare<unknown[], AlertRow>(
        `SELECT ${COLUMNS} FROM alerts WHERE passage_id = ? OR reading_id = ? ORDER BY seq`,
      )
      .all(passageId, readingId)
      .map(toAlert);
  }

  /**
   * Every change of an alert, oldest first: the alert as it was after each, with when and the
   * change's own event id (`change_id`).
   */
  history(
    alertId: string,
  ): (Alert & { change: "alert" | "alert_update"; change_id: string; at: string })[] {
    return this.db
      .prepare<
        unknown[],
        {
          seq: number;
          ts_ms: number;
          type: "alert" | "alert_update";
          snapshot: string;
        }
      >("SELECT seq, ts_ms, type, snapshot FROM alert_events WHERE alert_id = ? ORDER BY seq")
      .all(alertId)
      .map((row) => ({
        ...(JSON.parse(row.snapshot) as Alert),
        alert_id: alertId,
        change: row.type,
        change_id: this.journal.eventId(row.seq),
        at: isoTime(row.ts_ms),
      }));
  }

  /** Alerts not yet resolved, newest first: what a guard must see on connecting. */
  active(checkpointId?: string): Alert[] {
    const rows = this.selectActive
      .all()
      .filter((r) => checkpointId === undefined || r.checkpoint_id === checkpointId);
    return rows.map(toAlert);
  }

  /** Open alerts of one kind for one device, oldest first (to clear `device_offline`). */
  activeFor(kind: AlertKind, deviceId: string): Alert[] {
    return this.db
      .prepare<unknown[], AlertRow>(
        `SELECT ${COLUMNS} FROM alerts WHERE state != 'resolved' AND kind = ? AND device_id = ? ORDER BY seq`,
      )
      .all(kind, deviceId)
      .map(toAlert);
  }

  page(filter: AlertFilter): Page<Alert> {
    return this.pages.page(
      {
        equals: {
          state: filter.state,
          kind: filter.kind,
          checkpoint_id: filter.checkpoint,
          device_id: filter.device,
          pass_id: filter.pass_id,
        },
        fromMs: filter.fromMs,
        toMs: filter.toMs,
        cursor: filter.cursor,
        limit: filter.limit,
      },
      toAlert,
    );
  }

  private current(alertId: string): AlertRow {
    const row = this.selectOne.get(alertId);
    if (!row) throw new AlertConflict(`no alert ${alertId}`);
    return row;
  }

  private record(
    type: "alert" | "alert_update",
    seq: number,
    tsMs: number,
    row: AlertRow,
  ): DomainEvent {
    const snapshot = toAlert(row);
    this.insertEvent.run(
      seq,
      tsMs,
      type,
      row.alert_id,
      row.checkpoint_id,
      JSON.stringify(snapshot),
    );
    return this.changeEvent(type, seq, tsMs, row.alert_id, row.checkpoint_id, snapshot);
  }

  /**
   * A change as an event: the alert's state after it, under the change's own id, seq and time
   * (docs/contract.md#identity-and-order), so a consumer that dedupes on `id` keeps every change; `alert_id` names the alert.
   */
  private changeEvent(
    type: "alert" | "alert_update",
    seq: number,
    tsMs: number,
    alertId: string,
    checkpointId: string | null,
    snapshot: Alert,
  ): DomainEvent {
    const change: AlertChange = {
      ...snapshot,
      id: this.journal.eventId(seq),
      alert_id: alertId,
      seq,
      ts: isoTime(tsMs),
    };
    return type === "alert"
      ? { kind: "alert_opened", seq, checkpointId, change }
      : { kind: "alert_changed", seq, checkpointId, change };
  }
}

function toAlert(row: AlertRow): Alert {
  const iso = (ms: number | null) => (ms === null ? null : isoTime(ms));
  return {
    id: row.alert_id,
    alert_id: row.alert_id,
    seq: row.seq,
    kind: row.kind,
    state: row.state,
    checkpoint_id: row.checkpoint_id,
    device_id: row.device_id,
    passage_id: row.passage_id,
    reading_id: row.reading_id,
    pass_id: row.pass_id,
    temp_c: row.temp_c,
    opened_at: isoTime(row.opened_at_ms),
    acknowledged_by: row.acknowledged_by,
    acknowledged_at: iso(row.acknowledged_at_ms),
    resolved_by: row.resolved_by,
    resolved_at: iso(row.resolved_at_ms),
    disposition: row.disposition,
    confirm_temp_c: row.confirm_temp_c,
    note: row.note,
  };
}
