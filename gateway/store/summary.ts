import type { Db } from "./database.js";

export interface DailyCheckpointSummary {
  checkpoint_id: string;
  passages: number;
  allowed: number;
  denied: number;
  denied_by_reason: Record<string, number>;
  fevers: number;
  lows: number;
}

/** A checkpoint's counts for a day with nothing in it. */
export function emptySummary(checkpointId: string): DailyCheckpointSummary {
  return {
    checkpoint_id: checkpointId,
    passages: 0,
    allowed: 0,
    denied: 0,
    denied_by_reason: {},
    fevers: 0,
    lows: 0,
  };
}

/** Per checkpoint counts for [fromMs, toMs): from the raw rows while they exist. */
export function countDay(db: Db, fromMs: number, toMs: number): DailyCheckpointSummary[] {
  const byCheckpoint = new Map<string, DailyCheckpointSummary>();
  const entry = (id: string) => {
    let found = byCheckpoint.get(id);
    if (!found) {
      found = emptySummary(id);
      byCheckpoint.set(id, found);
    }
    return found;
  };
  const passages = db
    .prepare(
      "SELECT checkpoint_id, decision, reasons, count(*) AS n FROM passages WHERE ts_ms >= ? AND ts_ms < ? GROUP BY checkpoint_id, decision, reasons",
    )
    .all(fromMs, toMs) as { checkpoint_id: string; decision: string; reasons: string; n: number }[];
  for (const row of passages) {
    const counts = entry(row.checkpoint_id);
    counts.passages += row.n;
    if (row.decision === "allow") counts.allowed += row.n;
    else {
      counts.denied += row.n;
      for (const reason of row.reasons.split(",").filter(Boolean))
        counts.denied_by_reason[reason] = (counts.denied_by_reason[reason] ?? 0) + row.n;
    }
  }
  const readings = db
    .prepare(
      "SELECT checkpoint_id, status, count(*) AS n FROM readings WHERE ts_ms >= ? AND ts_ms < ? AND status IN ('fever', 'low') GROUP BY checkpoint_id, status",
    )
    .all(fromMs, toMs) as { checkpoint_id: string; status: string; n: number }[];
  for (const row of readings) {
    if (row.status === "fever") entry(row.checkpoint_id).fevers += row.n;
    else entry(row.checkpoint_id).lows += row.n;
  }
  return [...byCheckpoint.values()].sort((a, b) => a.checkpoint_id.localeCompare(b.checkpoint_id));
}

export function storeDailyCounts(db: Db, date: string, counts: DailyCheckpointSummary[]): void {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO daily_counts (date, checkpoint_id, passages, allowed, denied, denied_by_reason, fevers, lows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
    );
}

export function storedDailyCounts(db: Db, date: string): DailyCheckpointSummary[] | null {
  const rows = db
    .prepare("SELECT * FROM daily_counts WHERE date = ? ORDER BY checkpoint_id")
    .all(date) as (Omit<DailyCheckpointSummary, "denied_by_reason"> & {
    denied_by_reason: string;
  })[];
  if (rows.length === 0) return null;
  return rows.map((row) => ({
    checkpoint_id: row.checkpoint_id,
    passages: row.passages,
    allowed: row.allowed,
    denied: row.denied,
    denied_by_reason: JSON.parse(row.denied_by_reason) as Record<string, number>,
    fevers: row.fevers,
    lows: row.lows,
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
    .prepare("SELECT alert_id FROM alerts WHERE state = 'resolved' AND opened_at_ms < ?")
    .pluck()
    .all(cutoffMs) as string[];
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
  return db
    .prepare(
      "SELECT min(t) FROM (SELECT min(ts_ms) AS t FROM readings UNION ALL SELECT min(ts_ms) FROM passages UNION ALL SELECT min(ts_ms) FROM scans)",
    )
    .pluck()
    .get() as number | null;
}
