import type { Db } from "./database.js";

/**
 * How many sessions the gateway has ever kept on an external broker (`mqtt.connections`). A
 * broker goes on queueing a shared subscription's messages for a kept session while it is
 * offline (Mosquitto does, as do VerneMQ and EMQX), so after `mqtt.connections` is lowered the
 * sessions no longer opened may still hold messages devices had sent: the gateway opens them
 * again to take those in and unsubscribes them (gateway/mqtt/external-broker.ts).
 */
export class BrokerSessionsRepository {
  constructor(private readonly db: Db) {}

  /** The most sessions ever opened (0 before the first start in external mode). */
  mostOpened(): number {
    const value = this.db
      .prepare<unknown[], string>("SELECT value FROM meta WHERE key = 'external_broker_sessions'")
      .pluck()
      .get();
    return Number(value ?? 0);
  }

  remember(sessions: number): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('external_broker_sessions', ?) ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
      )
      .run(String(sessions));
  }
}
