import type { PassFacts } from "../domain/passage-rules.js";
import type { Pass, PassStatus } from "../domain/types.js";
import type { Db } from "./database.js";

interface PassRow {
  pass_id: string;
  holder_name: string;
  unit: string;
  status: PassStatus;
  valid_until_ms: number | null;
  observation_until_ms: number | null;
}

const COLUMNS = "pass_id, holder_name, unit, status, valid_until_ms, observation_until_ms";

/** A pass as written: times in ms since the epoch. */
export interface PassWrite {
  pass_id: string;
  holder_name: string;
  unit: string;
  status: PassStatus;
  valid_until_ms: number | null;
  observation_until_ms: number | null;
}

/** The pass registry (出入证, docs/contract.md#http-api). */
export class PassRepository {
  private readonly selectOne;
  private readonly insertStatement;
  private readonly updateStatement;
  private readonly deleteStatement;

  constructor(private readonly db: Db) {
    this.selectOne = db.prepare<[string], PassRow>(
      `SELECT ${COLUMNS} FROM passes WHERE pass_id = ?`,
    );
    this.insertStatement = db.prepare(
      `INSERT INTO passes (${COLUMNS}, created_at_ms, updated_at_ms)
       VALUES (@pass_id, @holder_name, @unit, @status, @valid_until_ms, @observation_until_ms, @created_at_ms, @updated_at_ms)
       ON CONFLICT DO NOTHING`,
    );
    this.updateStatement = db.prepare(
      `UPDATE passes SET holder_name = @holder_name, unit = @unit, status = @status, valid_until_ms = @valid_until_ms,
       observation_until_ms = @observation_until_ms, updated_at_ms = @updated_at_ms WHERE pass_id = @pass_id`,
    );
    this.deleteStatement = db.prepare("DELETE FROM passes WHERE pass_id = ?");
  }

  get(passId: string): Pass | undefined {
    const row = this.selectOne.get(passId);
    return row ? toPass(row) : undefined;
  }

  /** What a passage decision needs; undefined for a pass that is not registered. */
  facts(passId: string): (PassFacts & { holderName: string }) | undefined {
    const row = this.selectOne.get(passId);
    if (!row) return undefined;
    return {
      status: row.status,
      validUntilMs: row.valid_until_ms,
      observationUntilMs: row.observation_until_ms,
      holderName: row.holder_name,
    };
  }

  /** Passes by id order; `query` matches the pass id, holder or unit. */
  list(options: {
    query?: string | undefined;
    status?: PassStatus | undefined;
    limit: number;
    after?: string | undefined;
  }): { items: Pass[]; next_cursor: string | null } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.query) {
      where.push(
        "(pass_id LIKE ? ESCAPE '\\' OR holder_name LIKE ? ESCAPE '\\' OR unit LIKE ? ESCAPE '\\')",
      );
      const like = `%${options.query.replace(/[%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like, like);
    }
    if (options.status) {
      where.push("status = ?");
      params.push(options.status);
    }
    if (options.after) {
      where.push("pass_id > ?");
      params.push(options.after);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const rows = this.db
      .prepare<unknown[], PassRow>(
        `SELECT ${COLUMNS} FROM passes ${clause} ORDER BY pass_id LIMIT ?`,
      )
      .all(...params, options.limit + 1);
    const items = rows.slice(0, options.limit).map(toPass);
    return {
      items,
      next_cursor: rows.length > options.limit ? (items.at(-1)?.pass_id ?? null) : null,
    };
  }

  /** Adds a pass; false if the id is taken. */
  create(pass: PassWrite, nowMs: number): boolean {
    return (
      this.insertStatement.run({ ...pass, created_at_ms: nowMs, updated_at_ms: nowMs }).changes ===
      1
    );
  }

  /** Replaces a pass's fields; false if there is no such pass. */
  update(pass: PassWrite, nowMs: number): boolean {
    return this.updateStatement.run({ ...pass, updated_at_ms: nowMs }).changes === 1;
  }

  delete(passId: string): boolean {
    return this.deleteStatement.run(passId).changes === 1;
  }
}

function toPass(row: PassRow): Pass {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    pass_id: row.pass_id,
    holder_name: row.holder_name,
    unit: row.unit,
    status: row.status,
    valid_until: iso(row.valid_until_ms),
    observation_until: iso(row.observation_until_ms),
  };
}
