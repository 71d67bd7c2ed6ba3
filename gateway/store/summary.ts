import { downtimeWithin } from "../domain/downtime.js";
import type { DailyCheckpointSummary, DeviceDowntime, HourCounts } from "../domain/types.js";
import type { Db } from "./database.js";

export type { DailyCheckpointSummary, DeviceDowntime, HourCounts };

const HOUR_MS = 3_600_000;

/** The hours of the local day [fromMs, toMs). */
export function hoursOf(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / HOUR_MS);
}

/** A checkpoint's counts for a day with nothing in it. */
export function emptySummary(checkpointId: string, hours = 24): DailyCheckpointSummary {
  return {
    checkpoint_id: checkpointId,
    passages: 0,
    allowed: 0,
    denied: 0,
    denied_by_reason: {},
    fevers: 0,
    lows: 0,
    hours: Array.from({ length: hours }, (_, hour) => ({
      hour,
      passages: 0,
      allowed: 0,
      denied: 0,
      fevers: 0,
      lows: 0,
    })),
  };
}

/** Per checkpoint counts for the local day [fromMs, toMs), in total and per hour, from the raw rows. */
export function countDay(db: Db, fromMs: number, toMs: number): DailyCheckpointSummary[] {
  const hours = hoursOf(fromMs, toMs);
  const byCheckpoint = new Map<string, DailyCheckpointSummary>();
  const entry = (id: string, hour: number) => {
    let found = byCheckpoint.get(id);
    if (!found) {
      found = emptySummary(id, hours);
      byCheckpoint.set(id, found);
    }
    return { day: found, hour: found.hours[Math.min(hour, hours - 1)] as HourCounts };
  };
  const passages = db
    .prepare<
      unknown[],
      {
        checkpoint_id: string;
        hour: number;
        decision: string;
        reasons: string;
        n: number;
      }
    >(
      "SELECT checkpoint_id, CAST((ts_ms - @from) / 3600000 AS INTEGER) AS hour, decision, reasons, count(*) AS n FROM passages WHERE ts_ms >= @from AND ts_ms < @to GROUP BY checkpoint_id, hour, decision, reasons",
    )
    .all({ from: fromMs, to: toMs });
  for (const row of passages) {
    const { day, hour } = entry(row.checkpoint_id, row.hour);
    day.passages += row.n;
    hour.passages += row.n;
    if (row.decision === "allow") {
      day.allowed += row.n;
      hour.allowed += row.n;
    } else {
      day.denied += row.n;
      hour.denied += row.n;
      for (const reason of row.reasons.split(",").filter(Boolean))
        day.denied_by_reason[reason] = (day.denied_by_reason[reason] ?? 0) + row.n;
    }
  }
  const readings = db
    .prepare<
      unknown[],
      {
        checkpoint_id: string;
        hour: number;
        status: string;
        n: number;
      }
    >(
      "SELECT checkpoint_id, CAST((ts_ms - @from) / 3600000 AS INTEGER) AS hour, status, count(*) AS n FROM readings WHERE ts_ms >= @from AND ts_ms < @to AND status IN ('fever', 'low') GROUP BY checkpoint_id, hour, status",
    )
    .all({ from: fromMs, to: toMs });
  for (const row of readings) {
    const { day, hour } = entry(row.checkpoint_id, row.hour);
    const key = row.status === "fever" ? "fevers" : "lows";
    day[key] += row.n;
    hour[key] += row.n;
  }
  return [...byCheckpoint.values()].sort((a, b) => a.checkpoint_id.localeCompare(b.checkpoint_id));
}

/**
 * Each device's downtime within [fromMs, toMs), by checkpoint. Device status is not personal
 * data, so this is always counted from the stored changes, also for days retention cleared.
 */
export function devicesDowntime(
  db: Db,
  fromMs: number,
  toMs: number,
): Map<string, DeviceDowntime[]> {
  const before = db
    .prepare<unknown[], { device_id: string; checkpoint_id: string; online: number }>(
      "SELECT device_id, checkpoint_id, online FROM device_status WHERE seq IN (SELECT max(seq) FROM device_status WHERE ts_ms < ? GROUP BY device_id)",
    )
    .all(fromMs);
  const changes = db
    .prepare<
      unknown[],
      {
        device_id: string;
        checkpoint_id: string;
        online: number;
        ts_ms: number;
      }
    >(
      "SELECT device_id, checkpoint_id, online, ts_ms FROM device_status WHERE ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, seq",
    )
    .all(fromMs, toMs);
  const devices = new Map<
    string,
    { checkpoint: string; before: boolean | null; changes: { ts_ms: number; online: boolean }[] }
  >();
  for (const row of before)
    devices.set(row.device_id, {
      checkpoint: row.checkpoint_id,
      before: row.online === 1,
      changes: [],
    });
  for (const row of changes) {
    let device = devices.get(row.device_id);
    if (!device) {
      device = { checkpoint: row.checkpoint_id, before: null, changes: [] };
      devices.set(row.device_id, device);
    }
    device.checkpoint = row.checkpoint_id;
    device.changes.push({ ts_ms: row.ts_ms, online: row.online === 1 });
  }
  const byCheckpoint = new Map<string, DeviceDowntime[]>();
  for (const [device_id, device] of [...devices].sort(([a], [b]) => a.localeCompare(b))) {
    const list = byCheckpoint.get(device.checkpoint) ?? [];
    list.push({ device_id, ...downtimeWithin(device.before, device.changes, fromMs, toMs) });
    byCheckpoint.set(device.checkpoint, list);
  }
  return byCheckpoint;
}

export function storeDailyCounts(db: Db, date: string, counts: DailyCheckpointSummary[]): void {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO daily_counts (date, checkpoint_id, passages, allowed, denied, denied_by_reason, fevers, lows, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  for (const c of counts)
    insert.run(
      date,
      c.checkpoint_id,
      c.passages,
      c.allowed,
      c.denied,
      JSON.stringify(c.denied_by_reason),
      c.fevers,
      c.lows,
      JSON.stringify(c.hours),
    );
}

export function storedDailyCounts(db: Db, date: string): DailyCheckpointSummary[] | null {
  const rows = db
    .prepare<
      unknown[],
      Omit<DailyCheckpointSummary, "denied_by_reason" | "hours"> & {
        denied_by_reason: string;
        hours: string;
      }
    >("SELECT * FROM daily_counts WHERE date = ? ORDER BY checkpoint_id")
    .all(date);
  if (rows.length === 0) return null;
  return rows.map((row) => ({
    checkpoint_id: row.checkpoint_id,
    passages: row.passages,
    allowed: row.allowed,
    denied: row.denied,
    denied_by_reason: JSON.parse(row.denied_by_reason) as Record<string, number>,
    fevers: row.fevers,
    lows: row.lows,
    hours: JSON.parse(row.hours) as HourCounts[],
  }));
}

/** Deletes personal data older than `cutoffMs`; returns how many rows of each table went. */
export function deletePersonalData(db: Db, cutoffMs: number): Record<string, number> {
  const deleted: Record<string, number> = {};
  for (const table of ["readings", "scans", "passages"]) {
    deleted[table] = db.prepare(`DELETE FROM ${table} WHERE ts_ms < ?`).run(cutoffMs).changes;
  }
  // Alerts hold pass ids and temperatures too; one still open is kept until a guard closes it.
  const old = db
    .prepare<unknown[], string>(
      "SELECT alert_id FROM alerts WHERE state = 'resolved' AND opened_at_ms < ?",
    )
    .pluck()
    .all(cutoffMs);
  const dropAlert = db.prepare("DELETE FROM alerts WHERE alert_id = ?");
  const dropEvents = db.prepare("DELETE FROM alert_events WHERE alert_id = ?");
  for (const id of old) {
    dropEvents.run(id);
    dropAlert.run(id);
  }
  deleted.alerts = old.length;
  return deleted;
}

/** The earliest time of any personal row, or null. */
export function oldestPersonalMs(db: Db): number | null {
  return (
    db
      .prepare<unknown[], number | null>(
        "SELECT min(t) FROM (SELECT min(ts_ms) AS t FROM readings UNION ALL SELECT min(ts_ms) FROM passages UNION ALL SELECT min(ts_ms) FROM scans)",
      )
      .pluck()
      .get() ?? null
  );
}

/** Whether `date`'s summary has been queued upstream (docs/contract.md#upstream-the-district kind `summary`). */
export function summaryReported(db: Db, date: string): boolean {
  return db.prepare("SELECT 1 FROM summary_reports WHERE date = ?").get(date) !== undefined;
}

export function lastReportedSummary(db: Db): string | null {
  return (
    db.prepare<unknown[], string | null>("SELECT max(date) FROM summary_reports").pluck().get() ??
    null
  );
}

export function recordSummaryReport(db: Db, date: string, seq: number, nowMs: number): void {
  db.prepare("INSERT INTO summary_reports (date, seq, created_at_ms) VALUES (?, ?, ?)").run(
    date,
    seq,
    nowMs,
  );
}
