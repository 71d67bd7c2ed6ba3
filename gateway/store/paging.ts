import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";
/**
 * Newest-first keyset paging over a table whose primary key is `seq` (SPEC 7): a page is
 * `seq < cursor ORDER BY seq DESC LIMIT n`, which stays one index range scan however deep
 * the page, unlike OFFSET.
 */

export interface PageRequest {
  /** Equality filters: column -> value; undefined values are ignored. */
  equals: Record<string, string | undefined>;
  /** Comma-separated list columns that must hold a value: column -> value. */
  listHas?: Record<string, string | undefined>;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: number | undefined;
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
    where.push("seq < ?");
    params.push(request.cursor);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  // One row more than asked tells whether there is a next page.
  params.push(request.limit + 1);
  return { sql: `SELECT ${columns} FROM ${table} ${clause} ORDER BY seq DESC LIMIT ?`, params };
}

export function toPage<T extends { seq: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? String(last.seq) : null };
}

/** Runs paged queries over one table, preparing each combination of filters once. */
export class PageReader<Row> {
  private readonly statements = new Map<string, Statement>();
  private one: Statement | undefined;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: string,
    private readonly timeColumn = "ts_ms",
  ) {}

  rows(request: PageRequest): Row[] {
    const { sql, params } = pageQuery(this.table, this.columns, request, this.timeColumn);
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement.all(...params) as Row[];
  }

  /** One row by its seq (the number in its event id `<gateway_id>:<seq>`). */
  bySeq(seq: number): Row | undefined {
    this.one ??= this.db.prepare(`SELECT ${this.columns} FROM ${this.table} WHERE seq = ?`);
    return this.one.get(seq) as Row | undefined;
  }
}
