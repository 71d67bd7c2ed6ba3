import { z } from "zod";
import { cursorParam, instant, pageLimit } from "../../common/query-filters.js";
import { parseCursor } from "../store/paging.js";

export { MAX_PAGE } from "../../common/query-filters.js";

/**
 * The query filters and paging shared by every log endpoint (docs/contract.md#http-api): `from`/`to` as ISO 8601
 * or ms since the epoch, `limit` (default 100, larger values capped at 1000), `cursor`.
 */
export const pageFilters = z.object({
  from: instant.optional(),
  to: instant.optional(),
  checkpoint: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
  pass_id: z.string().min(1).optional(),
  limit: pageLimit,
  cursor: cursorParam(parseCursor).optional(),
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
