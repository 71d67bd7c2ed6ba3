import { describe, expect, it } from "vitest";
import { lowForPass, lowInARow } from "../../../gateway/domain/low-retest.js";

const rule = { windowMs: 10 * 60_000, samePassCount: 2, inARow: 3 };

describe("low_retest", () => {
  it("alerts when the same pass reads low twice within 10 minutes, not when the lows are further apart", () => {
    const minute = 60_000;
    let lows = new Map<string, readonly number[]>();
    const alerts: string[] = [];
    for (const [t, pass] of [
      [0, "A"],
      [5 * minute, "B"],
      [9 * minute, "A"],
      [30 * minute, "B"],
      [41 * minute, "B"],
      [50 * minute, "B"],
    ] as const) {
      const result = lowForPass(lows, pass, t, rule);
      lows = result.lows;
      if (result.alert) alerts.push(`${pass}@${t / minute}`);
    }
    expect(alerts).toEqual(["A@9", "B@50"]);
  });

  it("alerts on three lows in a row at a checkpoint without passes; another reading breaks the run", () => {
    let count = 0;
    const alerts: number[] = [];
    ["low", "low", "normal", "low", "low", "low", "low", "fever", "low"].forEach((status, i) => {
      const result = lowInARow(count, status === "low", rule);
      count = result.count;
      if (result.alert) alerts.push(i);
    });
    expect(alerts).toEqual([5]);
  });
});
