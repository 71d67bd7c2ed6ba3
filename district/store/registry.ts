import type pg from "pg";

/** A registered gateway as the console shows it, with what the district last heard of it. */
export interface RegisteredGateway {
  gateway_id: string;
  site_id: string;
  site_name: string;
  enabled: boolean;
  changed_at: string;
  changed_by: string | null;
  online: boolean | null;
  last_event_at: string | null;
}

/** A gateway the registry does not know, and what the quarantine holds of it. */
export interface QuarantinedGateway {
  gateway_id: string;
  /** The sites its topics named (it may name any). */
  sites: string[];
  events: number;
  first_at: string;
  last_at: string;
}

/**
 * The district's registry of gateways, read (docs/fleet.md#the-registry-of-gateways): which site
 * each gateway belongs to, and the gateways not in it whose events wait in the quarantine. It is
 * written through `DistrictStore.register`, which places the quarantined events in the same
 * transaction.
 */
export class DistrictRegistry {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<RegisteredGateway[]> {
    const result = await this.pool.query<RegisteredGateway>(
      `SELECT r.gateway_id, r.site_id, s.name AS site_name, r.enabled, r.changed_at, r.changed_by,
              g.online, g.last_event_at
       FROM registry r JOIN sites s USING (site_id) LEFT JOIN gateways g USING (gateway_id)
       ORDER BY s.name, r.gateway_id`,
    );
    return result.rows;
  }

  async quarantined(): Promise<QuarantinedGateway[]> {
    const result = await this.pool.query<QuarantinedGateway & { events: string }>(
      `SELECT gateway_id, array_agg(DISTINCT site_id ORDER BY site_id) AS sites,
              count(*) AS events, min(at) AS first_at, max(at) AS last_at
       FROM quarantine GROUP BY gateway_id ORDER BY max(at) DESC LIMIT 1000`,
    );
    return result.rows.map((row) => ({ ...row, events: Number(row.events) }));
  }
}
