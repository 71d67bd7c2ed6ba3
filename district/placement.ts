import type { DistrictRow } from "./rows.js";

/**
 * Where each arriving row goes, decided by the district's registry of gateways
 * (docs/fleet.md#the-registry-of-gateways), never by what a gateway says of itself: its topic
 * names a gateway, the registry says which site that gateway belongs to and whether it is
 * enabled. Pure: the store looks the gateways up in the batch's own transaction.
 */
export interface Registration {
  gatewayId: string;
  siteId: string;
  enabled: boolean;
}

export type ArrivedRow = Exclude<DistrictRow, { kind: "refused" }>;
export type RefusedRow = Extract<DistrictRow, { kind: "refused" }>;

export interface Placement {
  /** Rows of registered, enabled gateways under their own site: written to the tables. */
  stored: ArrivedRow[];
  /** Rows of gateways the registry does not know: kept apart until an admin assigns them. */
  quarantined: ArrivedRow[];
  /** Rows refused here, with why (a disabled gateway, another site), and those refused before. */
  refused: { row: ArrivedRow | RefusedRow; reason: string }[];
}

export function place(
  rows: readonly DistrictRow[],
  registry: ReadonlyMap<string, Registration>,
): Placement {
  const placement: Placement = { stored: [], quarantined: [], refused: [] };
  for (const row of rows) {
    if (row.kind === "refused") {
      placement.refused.push({ row, reason: row.reason });
      continue;
    }
    const registration = registry.get(row.gatewayId);
    if (!registration) placement.quarantined.push(row);
    else if (!registration.enabled)
      placement.refused.push({
        row,
        reason: `gateway ${row.gatewayId} is disabled in the district's registry`,
      });
    else if (registration.siteId !== row.siteId)
      placement.refused.push({
        row,
        reason: `gateway ${row.gatewayId} belongs to site ${registration.siteId}, not ${row.siteId} (its topic)`,
      });
    else placement.stored.push(row);
  }
  return placement;
}
