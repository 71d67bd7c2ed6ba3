import { describe, expect, it } from "vitest";
import { alertCursorText, parseAlertCursor } from "../../../district/store/alerts.js";
import { type GatewayDay, sumGatewayDays } from "../../../district/store/summaries.js";

const checkpoint = (passages: number, fevers: number, reasons: Record<string, unknown> = {}) => ({
  checkpoint_id: "gate-1",
  passages,
  allowed: passages - fevers,
  denied: fevers,
  denied_by_reason: reasons,
  fevers,
  lows: 0,
});
const day = (gateway_id: string, site_id: string, data: unknown): GatewayDay => ({
  gateway_id,
  site_id,
  site_name: site_id.toUpperCase(),
  data,
});

describe("a date's report from the gateways' summaries (sumGatewayDays)", () => {
  it.each([
    ["no gateways", [], [], 0],
    [
      "two checkpoints of one gateway add up",
      [day("g1", "s1", { checkpoints: [checkpoint(10, 1), checkpoint(5, 2)] })],
      [{ site_id: "s1", passages: 15, fevers: 3, gateways_reporting: ["g1"] }],
      15,
    ],
    [
      "a site's gateways add up; another site apart",
      [
        day("g1", "s1", { checkpoints: [checkpoint(10, 1)] }),
        day("g2", "s1", { checkpoints: [checkpoint(7, 0)] }),
        day("g3", "s2", { checkpoints: [checkpoint(1, 1)] }),
      ],
      [
        { site_id: "s1", passages: 17, gateways_reporting: ["g1", "g2"] },
        { site_id: "s2", passages: 1, gateways_reporting: ["g3"] },
      ],
      18,
    ],
    [
      "a registered gateway with no summary is missing, not zero passages reported",
      [day("g1", "s1", null), day("g2", "s1", { checkpoints: [checkpoint(3, 0)] })],
      [{ site_id: "s1", passages: 3, gateways_reporting: ["g2"], gateways_missing: ["g1"] }],
      3,
    ],
    [
      "counts no gateway would send (negative, fractional, text) count as 0",
      [
        day("g1", "s1", {
          checkpoints: [
            { ...checkpoint(4, 0), passages: -5 },
            { passages: 2.5 },
            { passages: "9" },
          ],
        }),
      ],
      [{ site_id: "s1", passages: 0 }],
      0,
    ],
    [
      "a summary whose checkpoints are not a list is missing",
      [day("g1", "s1", { checkpoints: "all of them" })],
      [{ site_id: "s1", gateways_missing: ["g1"] }],
      0,
    ],
  ])("%s", (_name, gateways, sites, totalPassages) => {
    const report = sumGatewayDays("2026-11-30", gateways);
    expect(report.sites).toHaveLength(sites.length);
    for (const [i, site] of sites.entries()) expect(report.sites[i]).toMatchObject(site);
    expect(report.total.passages).toBe(totalPassages);
  });

  it("adds up denials by reason across checkpoints and sites", () => {
    const report = sumGatewayDays("2026-11-30", [
      day("g1", "s1", { checkpoints: [checkpoint(5, 2, { fever: 2, no_pass: 1 })] }),
      day("g2", "s2", { checkpoints: [checkpoint(5, 1, { fever: 1, expired: "x" })] }),
    ]);
    expect(report.total.denied_by_reason).toEqual({ fever: 3, no_pass: 1, expired: 0 });
  });
});

describe("the alerts' paging cursor", () => {
  it.each([
    [{ openedMs: 1_764_576_000_000, gatewayId: "gw-a", alertId: "gw-a:17" }],
    [{ openedMs: 0, gatewayId: "gw,with_odd:chars", alertId: "gw,with_odd:chars:1" }],
  ])("reads back what it wrote: %o", (cursor) => {
    expect(parseAlertCursor(alertCursorText(cursor))).toEqual(cursor);
  });

  it.each(["", "forged", "W10", Buffer.from('[1,"a"]').toString("base64url"), "%%%"])(
    "is null for %j",
    (text) => {
      expect(parseAlertCursor(text)).toBeNull();
    },
  );
});
