import { describe, expect, it } from "vitest";
import { addDays, formatDuration, OBSERVATION_DAYS } from "../../../kiosk-ui/admin/format.js";

describe("the admin pages' pure parts", () => {
  it.each([
    ["2026-11-22", 14, "2026-12-06"],
    ["2026-12-25", 14, "2027-01-08"],
    ["2028-02-20", 14, "2028-03-05"],
    ["2026-11-22", 0, "2026-11-22"],
  ])("%s plus %i days is %s", (date, days, expected) => {
    expect(addDays(date, days, "Asia/Shanghai")).toBe(expected);
  });

  it("counts a home observation in whole days across a clock change", () => {
    expect(addDays("2026-03-20", OBSERVATION_DAYS, "Europe/Berlin")).toBe("2026-04-03");
  });

  it.each([
    [0, "无 none"],
    [-5, "无 none"],
    [42, "42秒 42s"],
    [60, "1分 1m"],
    [3599, "59分 59m"],
    [3600, "1小时0分 1h 0m"],
    [3900, "1小时5分 1h 5m"],
    [86_400, "24小时0分 24h 0m"],
  ])("%i seconds of downtime read %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
