import type pg from "pg";
import { dayBounds, localDate } from "../common/time.js";
import {
  dailyReport,
  gatewaysOverview,
  openFevers,
  passagesOfDay,
  siteCounts,
} from "../district/store/reports.js";
import { DistrictStore, monthOf } from "../district/store/store.js";
import type { Postgres } from "../firmware-sim/parts/postgres.js";

/**
 * The district console's queries (district/queries.ts) over a large district: `rows` readings
 * and as many passages from 200 gateways over the last 60 days (one in 50 a fever, its alert
 * resolved unless it is from the last hour), filled by PostgreSQL itself (generate_series) and
 * analysed; each query timed 10 times, median and slowest.
 */
export interface QueryTime {
  name: string;
  medianMs: number;
  maxMs: number;
  rows: number;
}

const ZONE = "Asia/Shanghai";
const GATEWAYS = 200;
const DAYS = 60;

/** Every page of a day's passages (the export reads them so), as one list for counting. */
async function allPages(pool: pg.Pool, date: string, site: string | null): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const page of passagesOfDay(pool, date, ZONE, site)) rows.push(...page);
  return rows;
}

export async function districtQueryTimes(
  postgres: Postgres,
  rows: number,
): Promise<{ fillS: number; sizeMb: number; times: QueryTime[] }> {
  await postgres.createDatabase("district_queries");
  const store = DistrictStore.connect(postgres.url("district_queries"));
  const pool = store.pool;
  try {
    await store.migrate();
    const endMs = Date.now();
    const startMs = endMs - DAYS * 86_400_000;
    for (let ms = startMs; ms <= endMs + 31 * 86_400_000; ms += 86_400_000) {
      const month = monthOf(new Date(ms).toISOString());
      for (const table of ["readings", "passages"])
        await pool.query(
          `CREATE TABLE IF NOT EXISTS ${table}_${month.name} PARTITION OF ${table} FOR VALUES FROM ('${month.from}') TO ('${month.to}')`,
        );
    }
    const started = performance.now();
    const stepMs = (endMs - startMs) / rows;
    const series = `FROM generate_series(1::bigint, ${rows}::bigint) AS i,
      LATERAL (SELECT 'gw-' || (i % ${GATEWAYS}) AS gw, 'site-' || (i % ${GATEWAYS}) AS site,
                      to_timestamp((${startMs} + i::float8 * ${stepMs}) / 1000.0) AS ts,
                      i % 50 = 0 AS fever) AS x`;
    await pool.query(
      `INSERT INTO readings (id, gateway_id, site_id, seq, ts, checkpoint_id, status, temp_c, data)
       SELECT gw || ':' || (2 * i), gw, site, 2 * i, ts, 'gate-1',
              CASE WHEN fever THEN 'fever' ELSE 'normal' END, CASE WHEN fever THEN 38.2 ELSE 36.6 END,
              jsonb_build_object('id', gw || ':' || (2 * i), 'seq', 2 * i, 'ts', ts, 'checkpoint_id', 'gate-1',
                                 'device_id', 'thermo-1', 'temp_c', CASE WHEN fever THEN 38.2 ELSE 36.6 END)
       ${series}`,
    );
    await pool.query(
      `INSERT INTO passages (id, gateway_id, site_id, seq, ts, checkpoint_id, decision, reasons, temp_c, data)
       SELECT gw || ':' || (2 * i + 1), gw, site, 2 * i + 1, ts, 'gate-1',
              CASE WHEN fever THEN 'deny' ELSE 'allow' END, CASE WHEN fever THEN 'fever' ELSE '' END,
              CASE WHEN fever THEN 38.2 ELSE 36.6 END,
              jsonb_build_object('id', gw || ':' || (2 * i + 1), 'seq', 2 * i + 1, 'ts', ts,
                                 'checkpoint_id', 'gate-1', 'reading_id', gw || ':' || (2 * i),
                                 'decision', CASE WHEN fever THEN 'deny' ELSE 'allow' END)
       ${series}`,
    );
    await pool.query(
      `INSERT INTO alerts (alert_id, gateway_id, site_id, kind, state, checkpoint_id, temp_c, opened_at, last_seq, data)
       SELECT id, gateway_id, site_id, 'fever',
              CASE WHEN ts > now() - interval '1 hour' THEN 'open' ELSE 'resolved' END,
              checkpoint_id, temp_c, ts, seq, '{}'::jsonb
       FROM passages WHERE decision = 'deny'`,
    );
    await pool.query(
      `INSERT INTO gateways (gateway_id, site_id, online, last_event_at)
       SELECT 'gw-' || g, 'site-' || g, g % 20 <> 0, now() FROM generate_series(0, ${GATEWAYS - 1}) AS g`,
    );
    await pool.query("VACUUM ANALYZE");
    const fillS = (performance.now() - started) / 1000;
    const sizeMb =
      Number(
        (await pool.query<{ size: string }>("SELECT pg_database_size(current_database()) AS size"))
          .rows[0]?.size,
      ) / 1e6;
    const today = localDate(endMs, ZONE);
    const aWeekAgo = localDate(endMs - 7 * 86_400_000, ZONE);
    const [todayStart, todayEnd] = dayBounds(today, ZONE);
    const queries: [string, () => Promise<unknown[]>][] = [
      ["overview: every gateway with its open fevers", () => gatewaysOverview(pool)],
      ["open fevers across the district", () => openFevers(pool)],
      ["today's counts per site", () => siteCounts(pool, todayStart, todayEnd)],
      [
        "daily report of a day a week ago, per site and in total",
        async () => (await dailyReport(pool, aWeekAgo, ZONE)).sites,
      ],
      ["CSV export: one site's passages of a day", () => allPages(pool, aWeekAgo, "site-7")],
      [
        "CSV export: every site's passages of a day, in pages of 5,000",
        () => allPages(pool, aWeekAgo, null),
      ],
    ];
    const times: QueryTime[] = [];
    for (const [name, run] of queries) {
      const ms: number[] = [];
      let count = 0;
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        count = (await run()).length;
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      times.push({ name, medianMs: ms[5] as number, maxMs: ms[9] as number, rows: count });
    }
    return { fillS, sizeMb, times };
  } finally {
    await store.close();
  }
}
