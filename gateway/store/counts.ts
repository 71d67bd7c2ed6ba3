import type { Db } from "./database.js";

export interface CheckpointCounts {
  checkpoint_id: string;
  passages: number;
  allowed: number;
  denied: number;
  fevers: number;
  lows: number;
}

/** Counts since a moment, per checkpoint: what the guard console shows for today. */
export function countsSince(db: Db, fromMs: number): CheckpointCounts[] {
  const rows = db
    .prepare<unknown[], CheckpointCounts>(
      `SELECT checkpoint_id,
              sum(kind = 'passage') AS passages, sum(kind = 'allow') AS allowed, sum(kind = 'deny') AS denied,
              sum(kind = 'fever') AS fevers, sum(kind = 'low') AS lows
       FROM (SELECT checkpoint_id, 'passage' AS kind FROM passages WHERE ts_ms >= @from
             UNION ALL SELECT checkpoint_id, decision FROM passages WHERE ts_ms >= @from
             UNION ALL SELECT checkpoint_id, status FROM readings WHERE ts_ms >= @from AND status IN ('fever', 'low'))
       GROUP BY checkpoint_id ORDER BY checkpoint_id`,
    )
    .all({ from: fromMs });
  return rows;
}
