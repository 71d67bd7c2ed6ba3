import type pg from "pg";

/**
 * The district's alerts as its API serves them (docs/contract.md#the-district-centre): every
 * gateway's alerts, newest first, filtered, a page at a time, each with the state after every
 * change the district received.
 */

export interface AlertFilter {
  site?: string | undefined;
  kind?: string | undefined;
  state?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/**
 * Where the next page starts: the last alert's opening time, gateway and alert id. The text is
 * `<ms>_<gateway_id>_<alert_id>` in base64url, so no id can break it apart.
 */
export interface AlertCursor {
  openedMs: number;
  gatewayId: string;
  alertId: string;
}

export function alertCursorText(cursor: AlertCursor): string {
  return Buffer.from(JSON.stringify([cursor.openedMs, cursor.gatewayId, cursor.alertId])).toString(
    "base64url",
  );
}

/** A `next_cursor` read back, or null if it is not one. */
export function parseAlertCursor(text: string): AlertCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      typeof value[2] === "string"
    )
      return { openedMs: value[0], gatewayId: value[1], alertId: value[2] };
  } catch {
    // Not base64url JSON: not a cursor.
  }
  return null;
}

/** The state after one change, in the order the gateway made them. */
export interface AlertChangeItem {
  id: string;
  seq: number;
  state: string;
  ts: string | null;
}

/** An alert as section "HTTP API" of the contract has it, with where it is and its changes. */
export interface DistrictAlertItem {
  id: string;
  seq: number;
  kind: string;
  state: string;
  gateway_id: string;
  site_id: string;
  site_name: string;
  checkpoint_id: string | null;
  checkpoint_name: string | null;
  device_id: string | null;
  passage_id: string | null;
  reading_id: string | null;
  temp_c: number | null;
  opened_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  disposition: string | null;
  confirm_temp_c: number | null;
  note: string | null;
  changes: AlertChangeItem[];
}

interface AlertRow {
  alert_id: string;
  gateway_id: string;
  site_id: string;
  site_name: string;
  checkpoint_name: string | null;
  kind: string;
  state: string;
  checkpoint_id: string | null;
  device_id: string | null;
  temp_c: number | null;
  opened_at: Date | null;
  opened_ms: string;
  data: Record<string, unknown>;
  changes: AlertChangeItem[];
}

/** A field of the alert's newest change, if it is of the type the item has. */
function field<T extends "string" | "number">(
  data: Record<string, unknown>,
  key: string,
  type: T,
): (T extends "string" ? string : number) | null {
  const value = data[key];
  return typeof value === type ? (value as T extends "string" ? string : number) : null;
}

function toItem(row: AlertRow): DistrictAlertItem {
  const d = row.data;
  return {
    id: row.alert_id,
    seq: Number(row.alert_id.slice(row.alert_id.lastIndexOf(":") + 1)),
    kind: row.kind,
    state: row.state,
    gateway_id: row.gateway_id,
    site_id: row.site_id,
    site_name: row.site_name,
    checkpoint_id: row.checkpoint_id,
    checkpoint_name: row.checkpoint_name,
    device_id: row.device_id,
    passage_id: field(d, "passage_id", "string"),
    reading_id: field(d, "reading_id", "string"),
    temp_c: row.temp_c,
    opened_at: row.opened_at?.toISOString() ?? null,
    acknowledged_by: field(d, "acknowledged_by", "string"),
    acknowledged_at: field(d, "acknowledged_at", "string"),
    resolved_by: field(d, "resolved_by", "string"),
    resolved_at: field(d, "resolved_at", "string"),
    disposition: field(d, "disposition", "string"),
    confirm_temp_c: field(d, "confirm_temp_c", "number"),
    note: field(d, "note", "string"),
    changes: row.changes,
  };
}

/**
 * The alerts' query: newest opening first, gateway and alert id breaking ties (the keyset the
 * cursor holds, served by the index alerts_opened), each with its changes in seq order and its
 * site's and checkpoint's names.
 */
function alertsQuery(filter: AlertFilter, cursor: AlertCursor | undefined, limit: number) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (filter.site !== undefined) add("a.site_id = ?", filter.site);
  if (filter.kind !== undefined) add("a.kind = ?", filter.kind);
  if (filter.state !== undefined) add("a.state = ?", filter.state);
  if (filter.fromMs !== undefined) add("a.opened_at >= ?", new Date(filter.fromMs));
  if (filter.toMs !== undefined) add("a.opened_at <= ?", new Date(filter.toMs));
  if (cursor) {
    params.push(new Date(cursor.openedMs), cursor.gatewayId, cursor.alertId);
    const n = params.length;
    where.push(
      `(coalesce(a.opened_at, 'epoch'), a.gateway_id, a.alert_id) < ($${n - 2}, $${n - 1}, $${n})`,
    );
  }
  params.push(limit);
  return {
    sql: `SELECT a.alert_id, a.gateway_id, a.site_id, coalesce(s.name, a.site_id) AS site_name,
                 c.name AS checkpoint_name, a.kind, a.state, a.checkpoint_id, a.device_id,
                 a.temp_c, a.opened_at, a.data,
                 (extract(epoch FROM coalesce(a.opened_at, 'epoch')) * 1000)::bigint AS opened_ms,
                 coalesce((SELECT json_agg(json_build_object('id', ch.id, 'seq', ch.seq,
                                   'state', ch.data->>'state', 'ts', ch.data->>'ts') ORDER BY ch.seq)
                           FROM alert_changes ch
                           WHERE ch.gateway_id = a.gateway_id AND ch.alert_id = a.alert_id), '[]') AS changes
          FROM alerts a
          LEFT JOIN sites s ON s.site_id = a.site_id
          LEFT JOIN checkpoints c ON c.gateway_id = a.gateway_id AND c.checkpoint_id = a.checkpoint_id
          ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
          ORDER BY coalesce(a.opened_at, 'epoch') DESC, a.gateway_id DESC, a.alert_id DESC
          LIMIT $${params.length}`,
    params,
  };
}

export interface AlertPage {
  items: DistrictAlertItem[];
  next_cursor: string | null;
}

/** One page of alerts, and the cursor of the next (null on the last). */
export async function alertsPage(
  pool: pg.Pool,
  filter: AlertFilter,
  cursor: AlertCursor | undefined,
  limit: number,
): Promise<AlertPage> {
  // One row more than asked tells whether there is a next page.
  const { sql, params } = alertsQuery(filter, cursor, limit + 1);
  const rows = (await pool.query<AlertRow>(sql, params)).rows;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    next_cursor:
      rows.length > limit && last
        ? alertCursorText({
            openedMs: Number(last.opened_ms),
            gatewayId: last.gateway_id,
            alertId: last.alert_id,
          })
        : null,
  };
}

/** Every alert a filter matches, a page at a time (the CSV export). */
export async function* alertPages(
  pool: pg.Pool,
  filter: AlertFilter,
  pageSize = 2000,
): AsyncGenerator<DistrictAlertItem[]> {
  let cursor: AlertCursor | undefined;
  for (;;) {
    const page = await alertsPage(pool, filter, cursor, pageSize);
    if (page.items.length > 0) yield page.items;
    if (page.next_cursor === null) return;
    cursor = parseAlertCursor(page.next_cursor) ?? undefined;
  }
}
