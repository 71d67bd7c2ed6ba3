import type { Db } from "./database.js";

/**
 * The number of the gateway's latest connection to the district's broker. Each connection's
 * `status` messages carry it (docs/contract.md#upstream-the-district), so the district can tell
 * which of two statuses is newer when they reach it out of order: a shared subscription hands
 * consecutive messages to different workers and sessions, and a will that overtakes the
 * connection's last periodic status must not be overwritten by it.
 *
 * It is the wall clock in ms, but always above the last one (kept here), so it rises across
 * restarts and a clock set back; a database restored from an older backup still rises with the
 * clock.
 */
export class UpstreamConnectionsRepository {
  constructor(private readonly db: Db) {}

  next(nowMs = Date.now()): number {
    return this.db.transaction(() => {
      const last = Number(
        this.db
          .prepare<unknown[], string>("SELECT value FROM meta WHERE key = 'upstream_connection'")
          .pluck()
          .get() ?? 0,
      );
      const next = Math.max(Math.floor(nowMs), last + 1);
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('upstream_connection', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .run(String(next));
      return next;
    })();
  }
}
