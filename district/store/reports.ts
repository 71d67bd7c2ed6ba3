import type pg from "pg";
import { dayBounds } from "../../common/time.js";

/**
 * The district console's reads (docs/fleet.md#the-district-workers-every-gateway-into-postgresql), one function per question a district asks; the
 * console serves them and `npm run bench -- --district` times them over a large district.
 * Each is served by an index or a month partition (district/store.ts).
 */

/**
 * Every gateway with its site, link, last event, backlog (as its status last said), open fevers,
 * and its other open alerts (a device offline, a pass refused...) counted under it, so a gateway
 * that is down shows its devices' alerts as its own, not as a list of their own.
 */
export async function gatewaysOverview(pool: pg.Pool) {
  return (
    await pool.query(
      // Only open alerts are counted, from the partial index alerts_open (not every alert ever).
      `SELECT g.gateway_id, g.site_id, coalesce(s.name, g.site_id) AS site_name, g.online, g.last_event_at, g.queue_depth, g.queue_age_s,
              coalesce(open.fevers, 0)::int AS open_fevers,
              coalesce(open.equipment, 0)::int AS open_equipment
       FROM gateways g LEFT JOIN (
         SELECT gateway_id, count(*) FILTER (WHERE kind = 'fever') AS fevers,
                count(*) FILTER (WHERE kind <> 'fever') AS equipment
         FROM alerts WHERE state <> 'resolved' GROUP BY gateway_id
       ) open ON open.gateway_id = g.gateway_id
       LEFT JOIN sites s ON s.site_id = g.site_id
       ORDER BY site_name, g.gateway_id`,
    )
  ).rows;
}

/** An alert as the console shows it, with its site's name (from the registry's sites). */
const ALERT_COLUMNS =
  "a.alert_id, a.gateway_id, a.site_id, coalesce(s.name, a.site_id) AS site_name, a.checkpoint_id, c.name AS checkpoint_name, a.temp_c, a.opened_at, a.state";
const ALERTS = `alerts a LEFT JOIN sites s ON s.site_id = a.site_id
  LEFT JOIN checkpoints c ON c.gateway_id = a.gateway_id AND c.checkpoint_id = a.checkpoint_id`;

/** Fever alerts not yet resolved, newest first. */
export async function openFevers(pool: pg.Pool) {
  return (
    await pool.query(
      `SELECT ${ALERT_COLUMNS} FROM ${ALERTS}
       WHERE a.kind = 'fever' AND a.state <> 'resolved' ORDER BY a.opened_at DESC LIMIT 200`,
    )
  ).rows;
}

export async function alertById(pool: pg.Pool, alertId: string) {
  return (
    await pool.query(`SELECT ${ALERT_COLUMNS} FROM ${ALERTS} WHERE a.alert_id = $1`, [alertId])
  ).rows[0];
}

export async function gatewayById(pool: pg.Pool, gatewayId: string) {
  return (
    await pool.query(
      `SELECT g.gateway_id, g.site_id, coalesce(s.name, g.site_id) AS site_name, g.online, g.last_event_at
       FROM gateways g LEFT JOIN sites s ON s.site_id = g.site_id WHERE g.gateway_id = $1`,
      [gatewayId],
    )
  ).rows[0];
}

export interface SiteCounts {
  site_id: string;
  site_name: string;
  passages: number;
  allowed: number;
  denied: number;
  fevers: number;
}

/** Passages per site between two instants: allowed, denied, and those with a fever. */
export async function siteCounts(
  pool: pg.Pool,
  startMs: number,
  endMs: number,
): Promise<SiteCounts[]> {
  return (
    await pool.query<SiteCounts>(
      `SELECT c.*, coalesce(s.name, c.site_id) AS site_name FROM (
         SELECT site_id, count(*)::int AS passages,
                count(*) FILTER (WHERE decision = 'allow')::int AS allowed,
                count(*) FILTER (WHERE decision = 'deny')::int AS denied,
                count(*) FILTER (WHERE ',' || reasons || ',' LIKE '%,fever,%')::int AS fevers
         FROM passages WHERE ts >= $1 AND ts < $2 GROUP BY site_id
       ) c LEFT JOIN sites s ON s.site_id = c.site_id ORDER BY c.site_id`,
      [new Date(startMs), new Date(endMs)],
    )
  ).rows;
}

/** The daily report (一天一调度): a local date's counts per site and in total. */
export async function dailyReport(pool: pg.Pool, date: string, timeZone: string) {
  const [start, end] = dayBounds(date, timeZone);
  const sites = await siteCounts(pool, start, end);
  const total = sites.reduce(
    (sum, s) => ({
      passages: sum.passages + s.passages,
      allowed: sum.allowed + s.allowed,
      denied: sum.denied + s.denied,
      fevers: sum.fevers + s.fevers,
    }),
    { passages: 0, allowed: 0, denied: 0, fevers: 0 },
  );
  return { date, timezone: timeZone, sites, total };
}

export interface PassageRow {
  id: string;
  ts: Date;
  site_id: string;
  site_name: string;
  gateway_id: string;
  checkpoint_id: string | null;
  /** The checkpoint's name as its gateway's summaries give it, or null before the first. */
  checkpoint_name: string | null;
  temp_c: number | null;
  decision: "allow" | "deny";
  reasons: string | null;
}

/**
 * A local date's passages, of one site or all, in time order (the CSV export), a page at a time:
 * each page starts after the last row of the one before (keyset on ts, id), so a whole busy
 * district day is never held in memory at once.
 */
export async function* passagesOfDay(
  pool: pg.Pool,
  date: string,
  timeZone: string,
  site: string | null,
  pageSize = 5000,
): AsyncGenerator<PassageRow[]> {
  const [start, end] = dayBounds(date, timeZone);
  let after: { ts: Date; id: string } | null = null;
  for (;;) {
    const page: PassageRow[] = (
      await pool.query<PassageRow>(
        `SELECT p.id, p.ts, p.site_id, coalesce(s.name, p.site_id) AS site_name, p.gateway_id,
                p.checkpoint_id, c.name AS checkpoint_name, p.temp_c, p.decision, p.reasons
         FROM passages p LEFT JOIN sites s ON s.site_id = p.site_id
         LEFT JOIN checkpoints c ON c.gateway_id = p.gateway_id AND c.checkpoint_id = p.checkpoint_id
         WHERE p.ts >= $1 AND p.ts < $2 AND ($3::text IS NULL OR p.site_id = $3)
           AND ($4::timestamptz IS NULL OR (p.ts, p.id) > ($4, $5))
         ORDER BY p.ts, p.id LIMIT $6`,
        [new Date(start), new Date(end), site, after?.ts ?? null, after?.id ?? null, pageSize],
      )
    ).rows;
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1] as PassageRow;
    after = { ts: last.ts, id: last.id };
  }
}
