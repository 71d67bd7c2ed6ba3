import type pg from "pg";

/**
 * The district's own retention (docs/fleet.md#personal-data-at-the-district): what can name a
 * person or a pass is deleted `retention_days` after it happened; daily summaries, gateways, the
 * registry and the audit are kept. One worker at a time sweeps (an advisory lock), in slices, so
 * no sweep holds a table long.
 */

/** The lock only one sweeping worker holds. */
const SWEEP_LOCK = 736252;
const SLICE = 10_000;

/** Each table's rows that retention deletes: older than the cutoff ($1). */
const SWEEPS: { table: string; key: string; older: string }[] = [
  { table: "passages", key: "id, ts", older: "ts < $1" },
  { table: "readings", key: "id, ts", older: "ts < $1" },
  { table: "scans", key: "id", older: "ts < $1" },
  // An alert still open is kept whatever its age: someone has yet to deal with it.
  {
    table: "alert_changes",
    key: "id",
    older: `ts < $1 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.gateway_id = alert_changes.gateway_id
              AND a.alert_id = alert_changes.alert_id AND a.state <> 'resolved')`,
  },
  {
    table: "alerts",
    key: "gateway_id, alert_id",
    older: "state = 'resolved' AND coalesce(opened_at, 'epoch') < $1",
  },
  { table: "dead_letters", key: "id", older: "at < $1" },
  { table: "quarantine", key: "id", older: "at < $1" },
];

export type SweepCounts = Record<string, number>;

/**
 * Deletes what is older than `cutoffMs`; resolves with how many rows of each table went, or null
 * when another worker is sweeping.
 */
export async function sweepOlderThan(pool: pg.Pool, cutoffMs: number): Promise<SweepCounts | null> {
  const client = await pool.connect();
  // A server that goes away between two of the sweep's queries must not take the worker with it
  // (seen in the soak: PostgreSQL restarted, the worker exited on an unhandled client error).
  const lost = () => {};
  client.on("error", lost);
  let failed: Error | undefined;
  try {
    const locked = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      SWEEP_LOCK,
    ]);
    if (!locked.rows[0]?.ok) return null;
    try {
      const counts: SweepCounts = {};
      const cutoff = new Date(cutoffMs);
      for (const { table, key, older } of SWEEPS) {
        counts[table] = 0;
        for (;;) {
          const deleted = await client.query(
            `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${older} LIMIT ${SLICE})`,
            [cutoff],
          );
          counts[table] += deleted.rowCount ?? 0;
          if ((deleted.rowCount ?? 0) < SLICE) break;
        }
      }
      return counts;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [SWEEP_LOCK]);
    }
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    client.off("error", lost);
    // A connection that failed is thrown away, not handed back to the pool.
    client.release(failed);
  }
}
