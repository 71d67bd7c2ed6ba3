import pg from "pg";
import { upstreamTopic } from "../../common/upstream-routes.js";
import {
  type ArrivedRow,
  type Placement,
  place,
  type RefusedRow,
  type Registration,
} from "../placement.js";
import { type DistrictRow, refusedRow, type StatusOrder, statusAfter } from "../rows.js";
import { MIGRATIONS } from "./migrations.js";

/** A will's `status_n`: after every status of its connection. */
const WILL_N = "9223372036854775807";

/** The advisory lock that orders a gateway's batches and its registration. */
function lockKey(gatewayId: string): string {
  return `district-gateway:${gatewayId}`;
}

/** The month partitions of a partitioned table a batch needs: `readings_2026_12`. */
export function monthOf(ts: string): { name: string; from: string; to: string } {
  const d = new Date(ts);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const from = new Date(Date.UTC(y, m, 1)).toISOString();
  const to = new Date(Date.UTC(y, m + 1, 1)).toISOString();
  return { name: `${y}_${String(m + 1).padStart(2, "0")}`, from, to };
}

type EventRow = Exclude<DistrictRow, { kind: "status" | "refused" }>;
type TimedEvent = EventRow & { ts: string };

/** A batch's events of one kind that go to a table partitioned by time (their ts is needed). */
function eventsOf(rows: readonly DistrictRow[], kind: "passage" | "reading"): TimedEvent[] {
  return rows
    .filter((r): r is EventRow => r.kind === kind)
    .filter((r): r is TimedEvent => r.ts !== null); // districtRow refuses them without one
}

/** id, gateway_id, site_id, seq, ts of a batch, as arrays (unnest's columns). */
function commonColumns(batch: TimedEvent[]): [string[], string[], string[], number[], string[]] {
  return [
    batch.map((r) => r.id),
    batch.map((r) => r.gatewayId),
    batch.map((r) => r.siteId),
    batch.map((r) => r.seq),
    batch.map((r) => r.ts),
  ];
}

interface GatewaySeen {
  gatewayId: string;
  siteId: string;
  /** Its latest status in the batch, or null if the batch had none. */
  online: boolean | null;
  lastEventAt: string | null;
  /** Its outbox as its latest status in the batch said, or null. */
  queueDepth: number | null;
  queueAgeS: number | null;
  /** Where its latest status in the batch stands (null: it does not say, or none). */
  order: StatusOrder | null;
}

/** What a batch says of each gateway, sorted by gateway id. */
function gatewaysSeen(rows: readonly DistrictRow[]): GatewaySeen[] {
  const seen = new Map<string, GatewaySeen>();
  for (const row of rows) {
    // A refused event says nothing of its gateway (it may not even name one).
    if (row.kind === "refused") continue;
    const before = seen.get(row.gatewayId);
    const ts = row.kind === "status" ? null : row.ts;
    // A status older than the batch's latest one (out of order) says nothing new.
    const status =
      row.kind === "status" && (before?.online == null || statusAfter(row.order, before.order))
        ? row
        : null;
    seen.set(row.gatewayId, {
      gatewayId: row.gatewayId,
      siteId: row.siteId,
      online: status ? status.online : (before?.online ?? null),
      queueDepth: status ? status.queueDepth : (before?.queueDepth ?? null),
      queueAgeS: status ? status.queueAgeS : (before?.queueAgeS ?? null),
      order: status ? status.order : (before?.order ?? null),
      lastEventAt:
        ts === null
          ? (before?.lastEventAt ?? null)
          : before?.lastEventAt && before.lastEventAt > ts
            ? before.lastEventAt
            : ts,
    });
  }
  return [...seen.values()].sort((a, b) => (a.gatewayId < b.gatewayId ? -1 : 1));
}

/** What a store keeps of what it cannot store, and the topics' prefix (to name a refused row's). */
export interface StoreOptions {
  /** How many refused events the dead-letter table keeps (the newest). */
  deadLettersKept: number;
  /** How many events of unknown gateways the quarantine keeps (the newest). */
  quarantineKept: number;
  topicPrefix: string;
}

const DEFAULTS: StoreOptions = {
  deadLettersKept: 10_000,
  quarantineKept: 100_000,
  topicPrefix: "district",
};

/** What one transaction did with its rows. */
export interface CommitResult {
  stored: number;
  quarantined: number;
  /** Kept as dead letters: refused before (rows.ts) or here. */
  deadLetters: number;
  /** Refused here by the registry (placement.ts), each with its gateway and why. */
  refusedByRegistry: { gatewayId: string; reason: string }[];
  /** Quarantined events of unknown gateways deleted to keep the quarantine to its bound. */
  quarantineDropped: number;
}

/** The gateways a batch's rows name, sorted: each locked in this order (no deadlock). */
function gatewayIdsOf(rows: readonly DistrictRow[]): string[] {
  return [...new Set(rows.filter((r) => r.kind !== "refused").map((r) => r.gatewayId))].sort();
}

/**
 * The district's PostgreSQL (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): numbered migrations, and one transaction per batch of
 * events with idempotent inserts (`ON CONFLICT DO NOTHING` on the event's id), so a message the
 * broker delivers again, or two workers racing, store it once. Readings and passages are
 * partitioned by month (made as events for a month first arrive). An alert's current state comes
 * from its changes in seq order, whatever order they arrive in. Where each row goes is the
 * registry's (placement.ts), read in the batch's own transaction under a lock per gateway, so an
 * admin assigning a gateway never races a batch that quarantines its events.
 */
export class DistrictStore {
  private readonly partitions = new Set<string>();
  private readonly options: StoreOptions;

  constructor(
    readonly pool: pg.Pool,
    options: Partial<StoreOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  static connect(url: string, options?: Partial<StoreOptions>): DistrictStore {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle client that loses the server must not take the process down; nor one checked
    // out between two queries (its error has no query to go to: seen in the soak, a worker
    // exiting on a PostgreSQL restart). Its next query fails, and the caller throws it away.
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", () => {}));
    return new DistrictStore(pool, options);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One worker at a time migrates; the others wait here and find it done.
      await client.query("SELECT pg_advisory_lock(736251)");
      await client.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)",
      );
      const done = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
      const applied = new Set(done.rows.map((r) => r.version));
      for (const [i, sql] of MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        await client.query("BEGIN");
        await client.query(sql);
        await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [i + 1]);
        await client.query("COMMIT");
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(736251)").catch(() => {});
      client.release();
    }
  }

  /**
   * Writes a batch in one transaction, each row where the registry places it; throws (nothing
   * written) if PostgreSQL cannot take it.
   */
  async commit(rows: readonly DistrictRow[]): Promise<CommitResult> {
    return this.transaction(async (client) => {
      const ids = gatewayIdsOf(rows);
      // Shared: batches of one gateway go on together; an admin assigning it waits for them.
      // One round trip for all the batch's gateways (one per gateway cost a third of the
      // throughput with 200 gateways: bench --district), taken in one order.
      await client.query(
        `SELECT count(pg_advisory_xact_lock_shared(hashtext(k)))
         FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) AS keys`,
        [ids.map(lockKey)],
      );
      const found = await client.query<{ gateway_id: string; site_id: string; enabled: boolean }>(
        "SELECT gateway_id, site_id, enabled FROM registry WHERE gateway_id = ANY($1)",
        [ids],
      );
      const registry = new Map<string, Registration>(
        found.rows.map((r) => [
          r.gateway_id,
          { gatewayId: r.gateway_id, siteId: r.site_id, enabled: r.enabled },
        ]),
      );
      return this.writePlaced(client, place(rows, registry));
    });
  }

  /**
   * Puts a gateway in the registry (or changes its site, name or whether it is enabled) and, in
   * the same transaction, places what the quarantine held for it: stored under its site, or
   * refused if its topic named another site or it is disabled.
   */
  async register(
    registration: Registration & { siteName?: string | undefined },
    actor: string,
  ): Promise<CommitResult> {
    const { gatewayId, siteId, enabled } = registration;
    return this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [lockKey(gatewayId)]);
      await client.query(
        `INSERT INTO sites (site_id, name) VALUES ($1, coalesce($2, $1))
         ON CONFLICT (site_id) DO UPDATE SET name = coalesce($2, sites.name)`,
        [siteId, registration.siteName ?? null],
      );
      await client.query(
        `INSERT INTO registry (gateway_id, site_id, enabled, changed_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (gateway_id) DO UPDATE SET site_id = $2, enabled = $3, changed_by = $4,
           changed_at = now()`,
        [gatewayId, siteId, enabled, actor],
      );
      const held = await client.query<{ row: ArrivedRow }>(
        "DELETE FROM quarantine WHERE gateway_id = $1 RETURNING id, row",
        [gatewayId],
      );
      const rows = held.rows
        .map((r) => r as { id: string; row: ArrivedRow })
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => r.row);
      return this.writePlaced(client, place(rows, new Map([[gatewayId, registration]])));
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let result: T;
    try {
      await client.query("BEGIN");
      result = await work(client);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      // The connection itself may be what failed (PostgreSQL restarted under it): it is thrown
      // away, not handed back to the pool, or every later batch would fail on it for good.
      client.release(error as Error);
      throw error;
    }
    client.release();
    return result;
  }

  private async writePlaced(client: pg.PoolClient, placement: Placement): Promise<CommitResult> {
    const rows = placement.stored;
    // Each gateway's row once per batch.
    const wentOnOrOff = await this.gateways(client, gatewaysSeen(rows));
    // Passages and readings, nearly all of the stream, go in one statement per table.
    await this.passages(client, rows);
    await this.readings(client, rows);
    for (const row of rows)
      if (row.kind !== "status" && row.kind !== "passage" && row.kind !== "reading")
        await this.write(client, row);
    const refused = placement.refused.map(({ row, reason }) => this.refusal(row, reason));
    await this.deadLetters(client, refused);
    const quarantineDropped = await this.quarantine(client, placement.quarantined);
    // The console hears of fevers and gateways coming and going when the batch commits.
    for (const row of rows) {
      if (row.kind === "alert" && row.data.kind === "fever")
        await client.query("SELECT pg_notify('district_alert', $1)", [String(row.data.alert_id)]);
    }
    // Only a gateway going online or offline, not each periodic status (hundreds a minute).
    for (const gatewayId of wentOnOrOff)
      await client.query("SELECT pg_notify('district_gateway', $1)", [gatewayId]);
    return {
      stored: rows.length,
      quarantined: placement.quarantined.length,
      deadLetters: refused.length,
      refusedByRegistry: placement.refused
        .filter(({ row }) => row.kind !== "refused")
        .map(({ row, reason }) => ({ gatewayId: row.gatewayId, reason })),
      quarantineDropped,
    };
  }

  /** A row refused by the registry, as its dead letter (its topic and payload as they came). */
  private refusal(row: ArrivedRow | RefusedRow, reason: string): RefusedRow {
    if (row.kind === "refused") return row;
    const { topicPrefix } = this.options;
    const payload =
      row.kind === "status"
        ? { online: row.online, queue_depth: row.queueDepth, oldest_age_s: row.queueAgeS }
        : row.data;
    return refusedRow(
      topicPrefix,
      upstreamTopic(topicPrefix, row.siteId, row.gatewayId, row.kind),
      Buffer.from(JSON.stringify(payload)),
      reason,
    );
  }

  /**
   * Events of gateways the registry does not know, kept apart (a gateway's latest status only)
   * until an admin assigns them; the newest `quarantineKept`. Resolves with how many older ones
   * were deleted to keep that bound.
   */
  private async quarantine(client: pg.PoolClient, rows: readonly ArrivedRow[]): Promise<number> {
    const statuses = new Map<string, ArrivedRow>();
    const events: ArrivedRow[] = [];
    for (const row of rows) {
      if (row.kind === "status") statuses.set(row.gatewayId, row);
      else events.push(row);
    }
    if (events.length > 0)
      await client.query(
        `INSERT INTO quarantine (gateway_id, site_id, kind, row)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
        [
          events.map((r) => r.gatewayId),
          events.map((r) => r.siteId),
          events.map((r) => r.kind),
          events.map((r) => JSON.stringify(r)),
        ],
      );
    for (const row of statuses.values())
      await client.query(
        `INSERT INTO quarantine (gateway_id, site_id, kind, row) VALUES ($1, $2, 'status', $3)
         ON CONFLICT (gateway_id) WHERE kind = 'status' DO UPDATE SET
           row = excluded.row, site_id = excluded.site_id, at = now()`,
        [row.gatewayId, row.siteId, JSON.stringify(row)],
      );
    if (rows.length === 0) return 0;
    const dropped = await client.query(
      "DELETE FROM quarantine WHERE id <= (SELECT max(id) FROM quarantine) - $1",
      [this.options.quarantineKept],
    );
    return dropped.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async partition(client: pg.PoolClient, table: "readings" | "passages", ts: string) {
    const month = monthOf(ts);
    const key = `${table}_${month.name}`;
    if (this.partitions.has(key)) return;
    // Another worker may make it at the same moment: made once, or found made.
    await client.query("SAVEPOINT partition");
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${key} PARTITION OF ${table} FOR VALUES FROM ('${month.from}') TO ('${month.to}')`,
      );
      await client.query("RELEASE SAVEPOINT partition");
    } catch {
      await client.query("ROLLBACK TO SAVEPOINT partition");
    }
    this.partitions.add(key);
  }

  /**
   * Each gateway the batch speaks of, in one statement (in gateway id order, so two batches of
   * the same gateways never wait on each other in a cycle): its site, its latest event, and its
   * status if the batch's is after the one in force (rows.ts statusAfter). Returns the gateways
   * that went online or offline.
   */
  private async gateways(client: pg.PoolClient, seen: readonly GatewaySeen[]): Promise<string[]> {
    if (seen.length === 0) return [];
    const newer = `excluded.online IS NOT NULL AND (
         excluded.status_connection IS NULL OR gateways.status_connection IS NULL
         OR (excluded.status_connection, coalesce(excluded.status_n, ${WILL_N}))
            > (gateways.status_connection, coalesce(gateways.status_n, ${WILL_N})))`;
    const ifNewer = (column: string) =>
      `${column} = CASE WHEN ${newer} THEN excluded.${column} ELSE gateways.${column} END`;
    const result = await client.query<{ gateway_id: string; changed: boolean }>(
      `WITH before AS (SELECT gateway_id, online FROM gateways WHERE gateway_id = ANY($1))
       INSERT INTO gateways (gateway_id, site_id, online, status_at, last_event_at, queue_depth, queue_age_s,
                             status_connection, status_n)
       SELECT g, s, o, CASE WHEN o IS NULL THEN NULL ELSE now() END, e, d, a, c, n
       FROM unnest($1::text[], $2::text[], $3::boolean[], $4::timestamptz[], $5::integer[],
                   $6::integer[], $7::bigint[], $8::bigint[]) AS seen(g, s, o, e, d, a, c, n)
       ORDER BY g
       ON CONFLICT (gateway_id) DO UPDATE SET
         site_id = excluded.site_id,
         ${["online", "status_at", "status_connection", "status_n"].map(ifNewer).join(",\n         ")},
         last_event_at = greatest(gateways.last_event_at, excluded.last_event_at),
         -- Depth and age are said together (an empty outbox has no age).
         queue_age_s = CASE WHEN ${newer} AND excluded.queue_depth IS NOT NULL
                            THEN excluded.queue_age_s ELSE gateways.queue_age_s END,
         queue_depth = CASE WHEN ${newer} AND excluded.queue_depth IS NOT NULL
                            THEN excluded.queue_depth ELSE gateways.queue_depth END
       RETURNING gateway_id,
                 (SELECT online FROM before b WHERE b.gateway_id = gateways.gateway_id)
                   IS DISTINCT FROM gateways.online AS changed`,
      [
        seen.map((g) => g.gatewayId),
        seen.map((g) => g.siteId),
        seen.map((g) => g.online),
        seen.map((g) => g.lastEventAt),
        seen.map((g) => g.queueDepth),
        seen.map((g) => g.queueAgeS),
        seen.map((g) => g.order?.connection ?? null),
        seen.map((g) => (g.order === null ? null : (g.order.n ?? WILL_N))),
      ],
    );
    const said = new Set(seen.filter((g) => g.online !== null).map((g) => g.gatewayId));
    return result.rows
      .filter((r) => r.changed && said.has(r.gateway_id))
      .map((r) => r.gateway_id)
      .sort();
  }

  /**
   * A batch's passages in one INSERT over arrays (unnest), idempotent on (id, ts): the event's
   * id, and its time, which a gateway never changes when it sends an event again.
   */
  private async passages(client: pg.PoolClient, rows: readonly DistrictRow[]): Promise<void> {
    const batch = eventsOf(rows, "passage");
    if (batch.length === 0) return;
    for (const ts of new Set(batch.map((r) => monthOf(r.ts).from)))
      await this.partition(client, "passages", ts);
    await client.query(
      `INSERT INTO passages (id, gateway_id, site_id, seq, ts, checkpoint_id, decision, reasons, temp_c, data)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
                            $6::text[], $7::text[], $8::text[], $9::real[], $10::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        ...commonColumns(batch),
        batch.map((r) => r.data.checkpoint_id ?? null),
        batch.map((r) => r.data.decision ?? null),
        batch.map((r) => (Array.isArray(r.data.reasons) ? r.data.reasons.join(",") : null)),
        batch.map((r) => r.data.temp_c ?? null),
        batch.map((r) => JSON.stringify(r.data)),
      ],
    );
  }

  /** A batch's refused events into the dead-letter table, which keeps the newest only. */
  private async deadLetters(client: pg.PoolClient, refused: readonly RefusedRow[]): Promise<void> {
    if (refused.length === 0) return;
    await client.query(
      `INSERT INTO dead_letters (gateway_id, site_id, topic, reason, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        refused.map((r) => r.gatewayId),
        refused.map((r) => r.siteId),
        refused.map((r) => r.topic),
        refused.map((r) => r.reason),
        refused.map((r) => r.payload),
      ],
    );
    await client.query(
      "DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - $1",
      [this.options.deadLettersKept],
    );
  }

  /** A batch's readings in one INSERT, as passages. */
  private async readings(client: pg.PoolClient, rows: readonly DistrictRow[]): Promise<void> {
    const batch = eventsOf(rows, "reading");
    if (batch.length === 0) return;
    for (const ts of new Set(batch.map((r) => monthOf(r.ts).from)))
      await this.partition(client, "readings", ts);
    await client.query(
      `INSERT INTO readings (id, gateway_id, site_id, seq, ts, checkpoint_id, status, temp_c, data)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
                            $6::text[], $7::text[], $8::real[], $9::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        ...commonColumns(batch),
        batch.map((r) => r.data.checkpoint_id ?? null),
        batch.map((r) => r.data.status ?? null),
        batch.map((r) => r.data.temp_c ?? null),
        batch.map((r) => JSON.stringify(r.data)),
      ],
    );
  }

  private async write(client: pg.PoolClient, row: EventRow) {
    const d = row.data;
    const common = [row.id, row.gatewayId, row.siteId, row.seq];
    switch (row.kind) {
      case "scan":
        await client.query(
          "INSERT INTO scans (id, gateway_id, site_id, seq, ts, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          [...common, row.ts, d],
        );
        return;
      case "device_status":
        await client.query(
          "INSERT INTO device_status (id, gateway_id, site_id, seq, ts, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          [...common, row.ts, d],
        );
        return;
      case "summary":
        await client.query(
          "INSERT INTO summaries (id, gateway_id, site_id, seq, date, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          [...common, d.date, d],
        );
        // The checkpoints' names, which only the summary carries: what a person reads.
        await client.query(
          `INSERT INTO checkpoints (gateway_id, checkpoint_id, name)
           SELECT DISTINCT ON (c->>'checkpoint_id') $1, c->>'checkpoint_id', c->>'name'
           FROM jsonb_array_elements(CASE WHEN jsonb_typeof($2::jsonb->'checkpoints') = 'array'
                                          THEN $2::jsonb->'checkpoints' ELSE '[]' END) c
           WHERE jsonb_typeof(c->'checkpoint_id') = 'string' AND jsonb_typeof(c->'name') = 'string'
             AND length(c->>'checkpoint_id') <= 200 AND length(c->>'name') <= 200
           ON CONFLICT (gateway_id, checkpoint_id) DO UPDATE SET name = excluded.name`,
          [row.gatewayId, d],
        );
        return;
      case "alert": {
        await client.query(
          `INSERT INTO alert_changes (id, alert_id, gateway_id, site_id, seq, ts, data)
           VALUES ($1, $5, $2, $3, $4, $6, $7) ON CONFLICT DO NOTHING`,
          [...common, d.alert_id, row.ts, d],
        );
        // The alert's state is its newest change's, whatever order the changes arrive in.
        await client.query(
          `INSERT INTO alerts (alert_id, gateway_id, site_id, kind, state, checkpoint_id, device_id, temp_c, opened_at, last_seq, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (gateway_id, alert_id) DO UPDATE SET
             state = excluded.state, last_seq = excluded.last_seq, data = excluded.data
           WHERE alerts.last_seq < excluded.last_seq`,
          [
            d.alert_id,
            row.gatewayId,
            row.siteId,
            d.kind,
            d.state,
            d.checkpoint_id,
            d.device_id,
            d.temp_c,
            d.opened_at,
            row.seq,
            d,
          ],
        );
        return;
      }
    }
  }
}
