import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file and brings its schema up to date. */
export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // FULL makes every commit fsync the WAL before it returns. A device gets its PUBACK only
  // after its reading's commit returns (docs/contract.md#devices-over-mqtt), so a power cut right after the PUBACK must
  // not lose the reading: NORMAL would only promise that for an application crash.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  refreshPlannerStatistics(db);
  return db;
}

/**
 * Keeps SQLite's table statistics current. Without them the planner pages "one device, one day"
 * through the device's whole history by seq (a second at 10M readings) instead of the
 * (device_id, ts_ms) range and a sort of that day (milliseconds); see the README's figures.
 * The limit bounds the cost on a large file (about a second at 10M rows); SQLite only
 * re-analyses tables that changed a lot since the last run.
 */
export function refreshPlannerStatistics(db: Db): void {
  db.pragma("analysis_limit = 1000");
  db.pragma("optimize = 0x10002");
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this gateway knows (${MIGRATIONS.length}): upgrade the gateway`,
    );
  }
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    })();
  });
}
