import type { Db } from "./database.js";

/**
 * What the pure decisions remember between messages (docs/contract.md#screening-and-decisions): halves of a passage waiting for
 * their partner within `pairing_window_s`, and runs of low readings. It is written in the same
 * transaction as the message that changed it, so after a crash at any moment the state on disk
 * is exactly the state after the last committed message: nothing is decided twice or never.
 * Values are JSON; keys are chosen by pipeline/decision-state.ts.
 */
export class DecisionStateRepository {
  private readonly upsert;
  private readonly remove;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      "INSERT INTO decision_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.remove = db.prepare("DELETE FROM decision_state WHERE key = ?");
  }

  /** Everything stored, by key. */
  load(): Map<string, unknown> {
    const rows = this.db
      .prepare<
        unknown[],
        {
          key: string;
          value: string;
        }
      >("SELECT key, value FROM decision_state")
      .all();
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  /** Saves one key's value (undefined deletes it); call inside the transaction that changed it. */
  save(key: string, value: unknown): void {
    if (value === undefined) this.remove.run(key);
    else this.upsert.run(key, JSON.stringify(value));
  }
}
