import { z } from "zod";

/**
 * The query parameters every log endpoint shares, the gateway's and the district's
 * (docs/contract.md#http-api): a time as ISO 8601 or ms since the epoch, and `limit` (default
 * 100, larger values capped at 1000).
 */
export const MAX_PAGE = 1000;

/**
 * The times a query may name: ISO 8601's four-digit years, 0001 to 9999. A JavaScript date holds
 * more (±8.64e15 ms, years -271821 to 275760), PostgreSQL's timestamptz less at the low end
 * (4713 BC): year -271821 as a district filter was a 500 (found by the district fuzz).
 */
const EARLIEST_MS = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** A calendar date that does not exist (V8's Date.parse takes 2026-02-30 as 2026-03-02). */
function impossibleDay(value: string): boolean {
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!ymd) return false;
  const [year, month, day] = ymd.slice(1).map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day > (month === 2 && !leap ? 28 : daysInMonth);
}

export const instant = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || impossibleDay(value)) {
    ctx.addIssue({ code: "custom", message: "must be ISO 8601 or milliseconds since the epoch" });
    return z.NEVER;
  }
  if (ms < EARLIEST_MS || ms > LATEST_MS) {
    ctx.addIssue({ code: "custom", message: "must be a time in the years 0001 to 9999" });
    return z.NEVER;
  }
  return ms;
});

export const pageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .default(100)
  .transform((n) => Math.min(n, MAX_PAGE));

/** A `cursor` parameter read by `parse` (null: not a next_cursor), refused with a clear message. */
export function cursorParam<C>(parse: (text: string) => C | null) {
  return z.string().transform((value, ctx) => {
    const cursor = parse(value);
    if (cursor === null) {
      ctx.addIssue({ code: "custom", message: "must be a next_cursor from an earlier page" });
      return z.NEVER;
    }
    return cursor;
  });
}
