import type pg from "pg";
import type { DailyCheckpointSummary } from "../../gateway/domain/types.js";

/**
 * A date's report across the district (docs/contract.md#the-district-centre, 一天一调度), from
 * what each gateway said of that day in its `summary` event: per site and in total, passages,
 * allowed, denied by reason, fevers and lows, and which registered gateways have not reported.
 */

/** What a gateway's summary counts of a checkpoint's day (its `summary` event), summed. */
export type DayCounts = Pick<
  DailyCheckpointSummary,
  "passages" | "allowed" | "denied" | "denied_by_reason" | "fevers" | "lows"
>;

export interface SiteDay extends DayCounts {
  site_id: string;
  site_name: string;
  /** The gateways whose summary of the date is counted. */
  gateways_reporting: string[];
  /** The site's enabled gateways with no summary of the date (yet). */
  gateways_missing: string[];
}

export interface DistrictDay {
  date: string;
  sites: SiteDay[];
  total: DayCounts & { gateways_reporting: number; gateways_missing: number };
}

/** A gateway's summary of the date, or a gateway of the registry that has none. */
export interface GatewayDay {
  gateway_id: string;
  site_id: string;
  site_name: string;
  /** The summary's payload, or null: registered and enabled, no summary. */
  data: unknown;
}

const emptyCounts = (): DayCounts => ({
  passages: 0,
  allowed: 0,
  denied: 0,
  denied_by_reason: {},
  fevers: 0,
  lows: 0,
});

/** A count a summary gives, or 0 where it gives none or a count no gateway would send. */
function count(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function addCounts(sum: DayCounts, part: Record<string, unknown>): void {
  sum.passages += count(part.passages);
  sum.allowed += count(part.allowed);
  sum.denied += count(part.denied);
  sum.fevers += count(part.fevers);
  sum.lows += count(part.lows);
  const reasons = part.denied_by_reason;
  if (typeof reasons === "object" && reasons !== null && !Array.isArray(reasons))
    for (const [reason, n] of Object.entries(reasons))
      sum.denied_by_reason[reason] = (sum.denied_by_reason[reason] ?? 0) + count(n);
}

/**
 * Sums the gateways' summaries of a date per site and in total (pure): a summary's checkpoints
 * added up, a site's gateways added up, every site that has a gateway listed.
 */
export function sumGatewayDays(date: string, gateways: readonly GatewayDay[]): DistrictDay {
  const sites = new Map<string, SiteDay>();
  const total = { ...emptyCounts(), gateways_reporting: 0, gateways_missing: 0 };
  for (const gateway of gateways) {
    let site = sites.get(gateway.site_id);
    if (!site) {
      site = {
        site_id: gateway.site_id,
        site_name: gateway.site_name,
        ...emptyCounts(),
        gateways_reporting: [],
        gateways_missing: [],
      };
      sites.set(gateway.site_id, site);
    }
    const checkpoints = (gateway.data as { checkpoints?: unknown } | null)?.checkpoints;
    if (gateway.data === null || !Array.isArray(checkpoints)) {
      site.gateways_missing.push(gateway.gateway_id);
      total.gateways_missing++;
      continue;
    }
    site.gateways_reporting.push(gateway.gateway_id);
    total.gateways_reporting++;
    for (const checkpoint of checkpoints)
      if (typeof checkpoint === "object" && checkpoint !== null) {
        addCounts(site, checkpoint as Record<string, unknown>);
        addCounts(total, checkpoint as Record<string, unknown>);
      }
  }
  return {
    date,
    sites: [...sites.values()].sort((a, b) => a.site_id.localeCompare(b.site_id)),
    total,
  };
}

/**
 * Each enabled gateway of the registry with its newest summary of the date (a gateway that sent
 * one twice, after losing its database say, is counted once), and any gateway not registered
 * that sent one.
 */
export async function districtDay(pool: pg.Pool, date: string): Promise<DistrictDay> {
  const rows = (
    await pool.query<GatewayDay>(
      `WITH day AS (
         SELECT DISTINCT ON (gateway_id) gateway_id, site_id, data
         FROM summaries WHERE date = $1 ORDER BY gateway_id, seq DESC
       )
       SELECT coalesce(r.gateway_id, d.gateway_id) AS gateway_id,
              coalesce(r.site_id, d.site_id) AS site_id,
              coalesce(s.name, r.site_id, d.site_id) AS site_name,
              d.data
       FROM (SELECT * FROM registry WHERE enabled) r
       FULL JOIN day d ON d.gateway_id = r.gateway_id
       LEFT JOIN sites s ON s.site_id = coalesce(r.site_id, d.site_id)
       ORDER BY 2, 1`,
      [date],
    )
  ).rows;
  return sumGatewayDays(date, rows);
}
