import { z } from "zod";
import { parseCursor } from "../store/paging.js";

/**
 * The query filters and paging shared by every log endpoint (docs/contract.md#http-api): `from`/`to` as ISO 8601
 * or ms since the epoch, `limit` (default 100, larger values capped at 1000), `cursor`.
 */
export const MAX_PAGE = 1000;

const instant = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "must be ISO 8601 or milliseconds since the epoch" });
    return z.NEVER;
  }
  return ms;
});

export const pageFilters = z.object({
  from: instant.optional(),
  to: instant.optional(),
  checkpoint: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
  pass_id: z.string().min(1).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .transform((n) => Math.min(n, MAX_PAGE)),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const cursor = parseCursor(value);
      if (cursor === null) {
        ctx.addIssue({ code: "custom", message: "must be a next_cursor from an earlier page" });
        return z.NEVER;
      }
      return cursor;
    })
    .optional(),
});

/**
 * A log query as the repositories take it: the query's own filters by the same names, its time
 * bounds as `fromMs`/`toMs`. Every log route and every export goes through it, so a filter is
 * named once.
 */
export function logFilter<Q extends { from?: number | undefined; to?: number | undefined }>(
  query: Q,
): Omit<Q, "from" | "to"> & { fromMs: number | undefined; toMs: number | undefined } {
  const { from, to, ...filters } = query;
  return { ...filters, fromMs: from, toMs: to };
}
