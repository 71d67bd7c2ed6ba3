import type pg from "pg";

/** What district staff did (table district_audit): accounts changed, exports taken. */
export class DistrictAudit {
  constructor(private readonly pool: pg.Pool) {}

  async record(actor: string, action: string, details: Record<string, unknown>): Promise<void> {
    await this.pool.query(
      "INSERT INTO district_audit (actor, action, details) VALUES ($1, $2, $3)",
      [actor, action, details],
    );
  }

  /** The newest entries, newest first. */
  async recent(limit = 100) {
    return (
      await this.pool.query(
        "SELECT at, actor, action, details FROM district_audit ORDER BY id DESC LIMIT $1",
        [limit],
      )
    ).rows;
  }
}
