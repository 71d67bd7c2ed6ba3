import { describe, expect, it } from "vitest";
import { place, type Registration } from "../../../district/placement.js";
import type { DistrictRow } from "../../../district/rows.js";

const passage = (gatewayId: string, siteId: string): DistrictRow => ({
  kind: "passage",
  siteId,
  gatewayId,
  id: `${gatewayId}:1`,
  seq: 1,
  ts: "2026-12-01T08:00:00.000Z",
  data: {},
});
const REGISTRY = new Map<string, Registration>([
  ["gw-a", { gatewayId: "gw-a", siteId: "site-a", enabled: true }],
  ["gw-off", { gatewayId: "gw-off", siteId: "site-a", enabled: false }],
]);

/** Where one row goes: stored, quarantined, or refused with why. */
function where(row: DistrictRow): string {
  const placement = place([row], REGISTRY);
  if (placement.stored.length) return "stored";
  if (placement.quarantined.length) return "quarantined";
  return `refused: ${placement.refused[0]?.reason}`;
}

describe("place: where the registry puts each arriving row", () => {
  it.each([
    ["a registered gateway under its own site", passage("gw-a", "site-a"), "stored"],
    [
      "a registered gateway naming another site",
      passage("gw-a", "site-b"),
      "refused: gateway gw-a belongs to site site-a, not site-b (its topic)",
    ],
    [
      "a disabled gateway",
      passage("gw-off", "site-a"),
      "refused: gateway gw-off is disabled in the district's registry",
    ],
    ["a gateway the registry does not know", passage("gw-new", "site-new"), "quarantined"],
    [
      "a row refused before (its reason kept)",
      { kind: "refused", siteId: "", gatewayId: "", topic: "x", reason: "not JSON", payload: "" },
      "refused: not JSON",
    ],
  ] as [string, DistrictRow, string][])("%s", (_name, row, expected) => {
    expect(where(row)).toBe(expected);
  });
});
