import { createHash } from "node:crypto";
import type pg from "pg";
import { hashPassword } from "../../common/passwords.js";

/** The district's roles: viewers see the district, admins also manage accounts and the audit. */
export type DistrictRole = "viewer" | "admin";

export interface DistrictAccount {
  username: string;
  role: DistrictRole;
}

/** Only a hash of a session token is kept: the table gives no one a session. */
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** The district console's accounts and their sessions (tables district_users, district_sessions). */
export class DistrictAccounts {
  constructor(private readonly pool: pg.Pool) {}

  /** An account with its password hash, for a login. */
  async withHash(username: string): Promise<(DistrictAccount & { password_hash: string }) | null> {
    const found = await this.pool.query<DistrictAccount & { password_hash: string }>(
      "SELECT username, password_hash, role FROM district_users WHERE username = $1",
      [username],
    );
    return found.rows[0] ?? null;
  }

  /** Who holds this session token, while it has not expired. */
  async bySession(token: string): Promise<DistrictAccount | null> {
    const found = await this.pool.query<DistrictAccount>(
      `SELECT u.username, u.role FROM district_sessions s JOIN district_users u USING (username)
       WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [tokenHash(token)],
    );
    return found.rows[0] ?? null;
  }

  async startSession(token: string, username: string, ttlHours: number): Promise<void> {
    await this.pool.query(
      "INSERT INTO district_sessions (token_hash, username, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
      [tokenHash(token), username, ttlHours],
    );
  }

  async endSession(token: string): Promise<void> {
    await this.pool.query("DELETE FROM district_sessions WHERE token_hash = $1", [
      tokenHash(token),
    ]);
  }

  async list(): Promise<(DistrictAccount & { created_at: Date })[]> {
    return (
      await this.pool.query<DistrictAccount & { created_at: Date }>(
        "SELECT username, role, created_at FROM district_users ORDER BY username",
      )
    ).rows;
  }

  /** Makes an account; false when the name is taken. */
  async create(username: string, password: string, role: DistrictRole): Promise<boolean> {
    const made = await this.pool.query(
      "INSERT INTO district_users (username, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      [username, await hashPassword(password), role],
    );
    return made.rowCount === 1;
  }

  /**
   * Changes an account's password or role; false when there is none. A new password or role
   * ends the account's sessions: it logs in again under the new terms.
   */
  async change(
    username: string,
    change: { password?: string | undefined; role?: DistrictRole | undefined },
  ): Promise<boolean> {
    const changed = await this.pool.query(
      `UPDATE district_users SET role = coalesce($2, role),
              password_hash = coalesce($3, password_hash) WHERE username = $1`,
      [username, change.role ?? null, change.password ? await hashPassword(change.password) : null],
    );
    if (changed.rowCount === 0) return false;
    await this.pool.query("DELETE FROM district_sessions WHERE username = $1", [username]);
    return true;
  }

  /** Removes an account; false when there is none. */
  async remove(username: string): Promise<boolean> {
    const removed = await this.pool.query("DELETE FROM district_users WHERE username = $1", [
      username,
    ]);
    return removed.rowCount === 1;
  }

  /** Admins other than this account. */
  async adminsBesides(username: string): Promise<number> {
    const found = await this.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM district_users WHERE role = 'admin' AND username <> $1",
      [username],
    );
    return Number(found.rows[0]?.n ?? 0);
  }

  /** Makes `admin` with this password while the district has no admin; true if it did. */
  async ensureFirstAdmin(password: string | undefined): Promise<boolean> {
    const admins = await this.pool.query(
      "SELECT 1 FROM district_users WHERE role = 'admin' LIMIT 1",
    );
    if (admins.rowCount || !password) return false;
    await this.pool.query(
      "INSERT INTO district_users (username, password_hash, role) VALUES ('admin', $1, 'admin') ON CONFLICT DO NOTHING",
      [await hashPassword(password)],
    );
    return true;
  }
}
