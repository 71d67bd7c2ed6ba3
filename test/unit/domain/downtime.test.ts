import { describe, expect, it } from "vitest";
import { downtimeWithin } from "../../../gateway/domain/downtime.js";

const from = 1_000;
const to = 11_000;
const down = (ts_ms: number) => ({ ts_ms, online: false });
const up = (ts_ms: number) => ({ ts_ms, online: true });

describe("downtime within a window", () => {
  it.each([
    ["online all day", true, [], 0, 0],
    ["offline all day", false, [], 10_000, 1],
    ["never heard of, no changes", null, [], 0, 0],
    ["never heard of, then online", null, [up(3_000)], 0, 0],
    ["never heard of, then offline", null, [down(3_000)], 8_000, 1],
    ["one outage inside", true, [down(2_000), up(5_000)], 3_000, 1],
    ["two outages inside", true, [down(2_000), up(3_000), down(9_000), up(10_000)], 2_000, 2],
    ["offline at start, back later", false, [up(4_000)], 3_000, 1],
    ["goes down and stays down", true, [down(8_000)], 3_000, 1],
    ["repeated offline changes count once", true, [down(2_000), down(3_000), up(4_000)], 2_000, 1],
    ["repeated online changes change nothing", true, [up(2_000), up(3_000)], 0, 0],
    ["a change before the window is clamped to its start", true, [down(0), up(2_000)], 1_000, 1],
    ["a change after the window is clamped to its end", false, [up(20_000)], 10_000, 1],
  ] as const)("%s", (_name, before, changes, offline_ms, outages) => {
    expect(downtimeWithin(before, changes, from, to)).toEqual({ offline_ms, outages });
  });

  it("never counts more than the window, whatever the changes", () => {
    for (let seed = 0; seed < 200; seed++) {
      const changes = Array.from({ length: seed % 9 }, (_, i) => ({
        ts_ms: from - 500 + ((seed * 7919 + i * 104_729) % 12_000),
        online: (seed + i) % 3 !== 0,
      })).sort((a, b) => a.ts_ms - b.ts_ms);
      const result = downtimeWithin(seed % 2 === 0, changes, from, to);
      expect(result.offline_ms).toBeGreaterThanOrEqual(0);
      expect(result.offline_ms).toBeLessThanOrEqual(to - from);
    }
  });
});
