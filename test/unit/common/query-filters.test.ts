import { describe, expect, it } from "vitest";
import { instant, pageLimit } from "../../../common/query-filters.js";

describe("instant: a time a query may name", () => {
  it.each([
    ["2026-12-03T08:00:00Z", Date.UTC(2026, 11, 3, 8)],
    ["2026-12-03T16:00:00+08:00", Date.UTC(2026, 11, 3, 8)],
    ["1764748800000", 1764748800000],
    ["0", 0],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["2026-12-31T23:59:59Z", Date.UTC(2026, 11, 31, 23, 59, 59)],
    ["0001-01-01T00:00:00.000Z", Date.parse("0001-01-01T00:00:00.000Z")],
    ["9999-12-31T23:59:59.999Z", Date.parse("9999-12-31T23:59:59.999Z")],
  ])("takes %s", (text, ms) => {
    expect(instant.parse(text)).toBe(ms);
  });

  it.each([
    ["yesterday", "must be ISO 8601"],
    ["", "must be ISO 8601"],
    ["2026-02-30T00:00:00Z", "must be ISO 8601"],
    ["2026-02-29T00:00:00Z", "must be ISO 8601"],
    ["2026-04-31T00:00:00Z", "must be ISO 8601"],
    ["99999999999999999999", "must be a time in the years 0001 to 9999"],
    // JavaScript's own extremes: a date to Node, out of PostgreSQL's timestamptz at the low end.
    ["-271821-04-20T00:00:00.000Z", "must be a time in the years 0001 to 9999"],
    ["+275760-09-13T00:00:00.000Z", "must be a time in the years 0001 to 9999"],
    ["-000001-01-01T00:00:00Z", "must be a time in the years 0001 to 9999"],
    ["+010000-01-01T00:00:00Z", "must be a time in the years 0001 to 9999"],
  ])("refuses %s", (text, message) => {
    const result = instant.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe("pageLimit", () => {
  it.each([
    [undefined, 100],
    ["1", 1],
    ["1000", 1000],
    ["5000", 1000],
  ])("%s gives %i", (text, n) => {
    expect(pageLimit.parse(text)).toBe(n);
  });

  it.each(["0", "-1", "1.5", "x"])("refuses %s", (text) => {
    expect(pageLimit.safeParse(text).success).toBe(false);
  });
});
