import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";
/**
 * Newest-first keyset paging over a table whose primary key is `seq` (docs/contract.md#http-api), in the order of
 * the events' own time (a reading a device sends late, from its buffer, falls where it
 * happened, not where it arrived), seq breaking ties: a page is
 * `(time, seq) < cursor ORDER BY time DESC, seq DESC LIMIT n`. Every filter has an index
 * `(column, time)` (and SQLite ends each index with the rowid, here seq), so a page stays one
 * index range scan however deep, unlike OFFSET.
 */

/** Where the next page starts: the last row's time and seq (`next_cursor` is `<ms>_<seq>`). */
export interface PageCursor {
  timeMs: number;
  seq: number;
}

export function cursorText(cursor: PageCursor): string {
  return `${cursor.timeMs}_${cursor.seq}`;
}

/** A `next_cursor` read back, or null if it is not one. */
export function parseCursor(text: string): PageCursor | null {
  const match = /^(-?\d+)_(\d+)$/.exec(text);
  return match ? { timeMs: Number(match[1]), seq: Number(match[2]) } : null;
}

export interface PageRequest {
  /** Equality filters: column -> value; undefined values are ignored. */
  equals: Record<string, string | undefined>;
  /** Comma-separated list columns that must hold a value: column -> value. */
  listHas?: Record<string, string | undefined>;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: PageCursor | undefined;
  limit: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function pageQuery(
  table: string,
  columns: string,
  request: PageRequest,
  timeColumn = "ts_ms",
) {
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const [column, value] of Object.entries(request.equals)) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  for (const [column, value] of Object.entries(request.listHas ?? {})) {
    if (value === undefined) continue;
    where.push(`instr(',' || ${column} || ',', ?) > 0`);
    params.push(`,${value},`);
  }
  if (request.fromMs !== undefined) {
    where.push(`${timeColumn} >= ?`);
    params.push(request.fromMs);
  }
  if (request.toMs !== undefined) {
    where.push(`${timeColumn} <= ?`);
    params.push(request.toMs);
  }
  if (request.cursor !== undefined) {
    where.push(`(${timeColumn}, seq) < (?, ?)`);
    params.push(request.cursor.timeMs, request.cursor.seq);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  // One row more than asked tells whether there is a next page.
  params.push(request.limit + 1);
  return {
    sql: `SELECT ${columns} FROM ${table} ${clause} ORDER BY ${timeColumn} DESC, seq DESC LIMIT ?`,
    params,
  };
}

/** Runs paged queries over one table, preparing each combination of filters once. */
export class PageReader<Row> {
  private readonly statements = new Map<string, Statement<unknown[], Row & { seq: number }>>();
  private one: Statement<[number], Row> | undefined;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: string,
    private readonly timeColumn = "ts_ms",
  ) {}

  /** One page of items, and the cursor of the next page (null on the last). */
  page<T>(request: PageRequest, toItem: (row: Row) => T): Page<T> {
    const { sql, params } = pageQuery(this.table, this.columns, request, this.timeColumn);
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], Row & { seq: number }>(sql);
      this.statements.set(sql, statement);
    }
    const rows = statement.all(...params);
    const items = rows.slice(0, request.limit);
    const last = items.at(-1) as Record<string, unknown> | undefined;
    return {
      items: items.map(toItem),
      next_cursor:
        rows.length > request.limit && last
          ? cursorText({ timeMs: last[this.timeColumn] as number, seq: last.seq as number })
          : null,
    };
  }

  /** One row by its seq (the number in its event id `<gateway_id>:<seq>`). */
  bySeq(seq: number): Row | undefined {
    this.one ??= this.db.prepare<[number], Row>(
      `SELECT ${this.columns} FROM ${this.table} WHERE seq = ?`,
    );
    return this.one.get(seq);
  }
}
