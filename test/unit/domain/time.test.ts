import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoTime, startOfDayMs } from "../../../gateway/domain/time.js";

describe("isoTime", () => {
  it("gives exactly what Date.toISOString gives, for any whole-ms time in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 1, maxLength: 20 }),
        (times) => {
          for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });

  it("pads milliseconds within the same second", () => {
    const base = Date.parse("2026-11-22T08:00:00.000Z");
    expect([0, 7, 42, 999].map((ms) => isoTime(base + ms))).toEqual([
      "2026-11-22T08:00:00.000Z",
      "2026-11-22T08:00:00.007Z",
      "2026-11-22T08:00:00.042Z",
      "2026-11-22T08:00:00.999Z",
    ]);
  });
});

describe("startOfDayMs", () => {
  it.each([
    ["2026-11-22T08:00:00Z", "Asia/Shanghai", "2026-11-21T16:00:00.000Z"],
    ["2026-11-22T15:59:59Z", "Asia/Shanghai", "2026-11-21T16:00:00.000Z"],
    ["2026-11-22T16:00:00Z", "Asia/Shanghai", "2026-11-22T16:00:00.000Z"],
    ["2026-11-22T08:00:00Z", "UTC", "2026-11-22T00:00:00.000Z"],
    ["2026-07-01T03:00:00Z", "Europe/Berlin", "2026-06-30T22:00:00.000Z"],
  ])("%s in %s starts at %s", (now, zone, start) => {
    expect(new Date(startOfDayMs(Date.parse(now), zone)).toISOString()).toBe(start);
  });
});
