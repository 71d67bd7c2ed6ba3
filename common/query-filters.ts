import { z } from "zod";

/**
 * The query parameters every log endpoint shares, the gateway's and the district's
 * (docs/contract.md#http-api): a time as ISO 8601 or ms since the epoch, and `limit` (default
 * 100, larger values capped at 1000).
 */
export const MAX_PAGE = 1000;

export const instant = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  // Within what a date can hold (±8.64e15 ms): a larger number is no time at all.
  if (!Number.isFinite(new Date(ms).getTime())) {
    ctx.addIssue({ code: "custom", message: "must be ISO 8601 or milliseconds since the epoch" });
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
