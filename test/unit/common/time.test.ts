import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayBounds,
  deviceTimeOrNow,
  isoTime,
  nextDate,
  startOfDayMs,
  wallClock,
  wallClockMs,
} from "../../../common/time.js";

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

describe("wallClockMs", () => {
  it.each([
    ["2026-11-22T08:30", "Asia/Shanghai", "2026-11-22T00:30:00.000Z"],
    ["2026-11-22 08:30:15", "Asia/Shanghai", "2026-11-22T00:30:15.000Z"],
    ["2026-11-22T00:00", "UTC", "2026-11-22T00:00:00.000Z"],
    ["2026-01-15T12:00", "Europe/Berlin", "2026-01-15T11:00:00.000Z"],
    ["2026-07-15T12:00", "Europe/Berlin", "2026-07-15T10:00:00.000Z"],
    // The day clocks go forward in Berlin: 03:30 is after the change.
    ["2026-03-29T03:30", "Europe/Berlin", "2026-03-29T01:30:00.000Z"],
    ["2026-11-22T08:30", "America/New_York", "2026-11-22T13:30:00.000Z"],
  ])("%s in %s is %s", (value, zone, iso) => {
    expect(new Date(wallClockMs(value, zone) as number).toISOString()).toBe(iso);
  });

  it("refuses anything else", () => {
    for (const value of ["", "2026-11-22", "22.11.2026 08:30", "2026-11-22T8:30", "now"])
      expect(wallClockMs(value, "UTC")).toBeNull();
  });

  it("reads back what wallClock wrote, in any zone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom("Asia/Shanghai", "UTC", "Asia/Kolkata", "Australia/Adelaide"),
        (ms, zone) => {
          const second = Math.floor(ms / 1000) * 1000;
          expect(wallClockMs(wallClock(second, zone), zone)).toBe(second);
        },
      ),
    );
  });
});

describe("day bounds", () => {
  it("are 24 hours apart, or 23 and 25 when clocks change", () => {
    const hours = (date: string, zone: string) => {
      const [from, to] = dayBounds(date, zone);
      return (to - from) / 3_600_000;
    };
    expect(hours("2026-11-22", "Asia/Shanghai")).toBe(24);
    expect(hours("2026-03-29", "Europe/Berlin")).toBe(23);
    expect(hours("2026-10-25", "Europe/Berlin")).toBe(25);
    expect(nextDate("2026-12-31", "Asia/Shanghai")).toBe("2027-01-01");
  });
});

describe("a device's time or the gateway's", () => {
  const now = 1_800_000_000_000;
  const day = 86_400_000;
  const table: [number | undefined, number, number | null][] = [
    [undefined, now, null],
    [now - 5000, now - 5000, null],
    [now - day, now - day, null],
    [now + day, now + day, null],
    [now - day - 1, now, now - day - 1],
    [now + day + 1, now, now + day + 1],
    [1000, now, 1000],
    [Date.UTC(10000, 0, 1), now, Date.UTC(10000, 0, 1)],
  ];
  for (const [deviceTs, tsMs, kept] of table) {
    it(`device time ${deviceTs} -> stored at ${tsMs}, device time kept ${kept}`, () => {
      expect(deviceTimeOrNow(deviceTs, now, day)).toEqual({ tsMs, deviceTsMs: kept });
    });
  }
});
