import { createHash, randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "../../common/passwords.js";
import type { Db } from "./database.js";

export type Role = "guard" | "admin";

export interface Account {
  username: string;
  role: Role;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Accounts and login sessions (docs/contract.md#http-api). */
export class AccountRepository {
  constructor(private readonly db: Db) {}

  hasAdmin(): boolean {
    return this.db.prepare("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").get() !== undefined;
  }

  async create(username: string, password: string, role: Role, nowMs: number): Promise<void> {
    const hash = await hashPassword(password);
    this.db
      .prepare(
        "INSERT INTO users (username, password_hash, role, created_at_ms) VALUES (?, ?, ?, ?)",
      )
      .run(username, hash, role, nowMs);
  }

  list(): (Account & { created_at: string })[] {
    return this.db
      .prepare<unknown[], Account & { created_at_ms: number }>(
        "SELECT username, role, created_at_ms FROM users ORDER BY username",
      )
      .all()
      .map((row) => ({
        username: row.username,
        role: row.role,
        created_at: new Date(row.created_at_ms).toISOString(),
      }));
  }

  get(username: string): Account | undefined {
    return this.db
      .prepare<unknown[], Account>("SELECT username, role FROM users WHERE username = ?")
      .get(username);
  }

  async update(
    username: string,
    change: { password?: string | undefined; role?: Role | undefined },
  ): Promise<void> {
    if (change.password !== undefined) {
      this.db
        .prepare("UPDATE users SET password_hash = ? WHERE username = ?")
        .run(await hashPassword(change.password), username);
      // A new password ends every session of the old one.
      this.db.prepare("DELETE FROM sessions WHERE username = ?").run(username);
    }
    if (change.role !== undefined)
      this.db.prepare("UPDATE users SET role = ? WHERE username = ?").run(change.role, username);
  }

  delete(username: string): boolean {
    return this.db.prepare("DELETE FROM users WHERE username = ?").run(username).changes === 1;
  }

  countAdmins(): number {
    return (
      this.db
        .prepare<unknown[], number>("SELECT count(*) FROM users WHERE role = 'admin'")
        .pluck()
        .get() ?? 0
    );
  }

  /** The account if the password is right, otherwise null (same answer for an unknown user). */
  async authenticate(username: string, password: string): Promise<Account | null> {
    const row = this.db
      .prepare<unknown[], Account & { password_hash: string }>(
        "SELECT username, role, password_hash FROM users WHERE username = ?",
      )
      .get(username);
    if (row === undefined) {
      // Spend the same time as a real check so response times do not reveal usernames.
      await hashPassword(password);
      return null;
    }
    return (await verifyPassword(password, row.password_hash))
      ? { username: row.username, role: row.role }
      : null;
  }

  createSession(username: string, nowMs: number, ttlMs: number): string {
    const token = randomBytes(32).toString("base64url");
    this.db.prepare("DELETE FROM sessions WHERE expires_at_ms <= ?").run(nowMs);
    this.db
      .prepare("INSERT INTO sessions (token_hash, username, expires_at_ms) VALUES (?, ?, ?)")
      .run(hashToken(token), username, nowMs + ttlMs);
    return token;
  }

  sessionAccount(token: string, nowMs: number): Account | null {
    const row = this.db
      .prepare<unknown[], Account>(
        `SELECT u.username, u.role FROM sessions s JOIN users u ON u.username = s.username
         WHERE s.token_hash = ? AND s.expires_at_ms > ?`,
      )
      .get(hashToken(token), nowMs);
    return row ?? null;
  }

  endSession(token: string): void {
    this.db.prepare("DELETE FROM sessions WHERE token_hash = ?").run(hashToken(token));
  }
}
