import { isoTime } from "../../common/time.js";
import type { Db } from "./database.js";

export interface AuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  address: string | null;
}

interface AuditRow {
  id: number;
  ts_ms: number;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  address: string | null;
}

/** The audit log (docs/contract.md#http-api): append-only, enforced by the database itself. */
export class AuditRepository {
  private readonly insertStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      "INSERT INTO audit (ts_ms, actor, action, target, details, address) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  record(
    entry: {
      actor: string;
      action: string;
      target?: string | null;
      details?: Record<string, unknown> | null;
      address?: string | null;
    },
    nowMs = Date.now(),
  ): void {
    this.insertStatement.run(
      nowMs,
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.details ? JSON.stringify(entry.details) : null,
      entry.address ?? null,
    );
  }

  /** Newest first, filtered, paged by id. */
  page(filter: {
    actor?: string | undefined;
    action?: string | undefined;
    fromMs?: number | undefined;
    toMs?: number | undefined;
    cursor?: number | undefined;
    limit: number;
  }): { items: AuditEntry[]; next_cursor: string | null } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add("actor = ?", filter.actor);
    add("action = ?", filter.action);
    add("ts_ms >= ?", filter.fromMs);
    add("ts_ms <= ?", filter.toMs);
    add("id < ?", filter.cursor);
    const rows = this.db
      .prepare<unknown[], AuditRow>(
        `SELECT id, ts_ms, actor, action, target, details, address FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params, filter.limit + 1);
    const items = rows.slice(0, filter.limit).map((row) => ({
      id: row.id,
      ts: isoTime(row.ts_ms),
      actor: row.actor,
      action: row.action,
      target: row.target,
      details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
      address: row.address,
    }));
    return { items, next_cursor: rows.length > filter.limit ? String(items.at(-1)?.id) : null };
  }
}
