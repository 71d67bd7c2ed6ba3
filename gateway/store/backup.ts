import { existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";

export interface BackupResult {
  path: string;
  bytes: number;
  /** Rows in the copy's main tables, so a person (and a test) can see what it holds. */
  rows: Record<string, number>;
}

const COUNTED = ["readings", "scans", "passages", "alerts", "passes", "users", "audit"] as const;

/**
 * A consistent copy of a live database file, taken with SQLite's online backup while the
 * gateway keeps writing (WAL: readers never block the writer). The copy is made in one step,
 * so it is one snapshot (a backup made in many small steps restarts each time the gateway
 * commits, and a busy gateway commits every few milliseconds), written beside the target and
 * renamed into place only once SQLite has checked it: a failed or interrupted backup never
 * leaves a half file under the target's name.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`${source}: no such database file`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    await db.backup(partial, { progress: () => 2 ** 30 });
  } finally {
    db.close();
  }
  const copy = new Database(partial, { readonly: true, fileMustExist: true });
  let rows: Record<string, number>;
  let bytes: number;
  try {
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new Error(`the copy fails SQLite's integrity check: ${check}`);
    rows = Object.fromEntries(
      COUNTED.map((table) => [
        table,
        copy.prepare<unknown[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0,
      ]),
    );
    const pages = copy.pragma("page_count", { simple: true }) as number;
    bytes = pages * (copy.pragma("page_size", { simple: true }) as number);
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  renameSync(partial, target);
  return { path: target, bytes, rows };
}
