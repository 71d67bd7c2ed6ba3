import { once } from "node:events";
import { Router } from "express";
import { z } from "zod";
import { BOM, csvLine, localTime } from "../../common/csv.js";
import { ALERT_KINDS, ALERT_STATES, PASSAGE_REASONS, READING_STATUSES } from "../domain/types.js";
import {
  ALERT_STATE_WORDS,
  ALERT_WORDS,
  chineseFirst,
  DECISION_WORDS,
  DISPOSITION_WORDS,
  REASON_WORDS,
  STATUS_WORDS,
  type Words,
} from "../domain/words.js";
import { type PageCursor, parseCursor } from "../store/paging.js";
import type { Store } from "../store/store.js";
import { recordAction } from "./audit.js";
import { HttpError } from "./errors.js";
import { logFilter, pageFilters } from "./filters.js";
import { parseWith } from "./validation.js";

const CHUNK = 1000;

const exportQuery = pageFilters.omit({ limit: true, cursor: true }).extend({
  status: z.enum(READING_STATUSES).optional(),
  decision: z.enum(["allow", "deny"]).optional(),
  reason: z.enum(PASSAGE_REASONS).optional(),
  state: z.enum(ALERT_STATES).optional(),
  kind: z.enum(ALERT_KINDS).optional(),
});

type Query = z.output<typeof exportQuery>;

interface Export {
  header: string[];
  /** One page of rows after `cursor`, as cells, and the next cursor. */
  page(
    query: Query,
    cursor: PageCursor | undefined,
  ): { rows: (string | number | null)[][]; next: PageCursor | undefined };
}

/**
 * `GET /api/export/<readings|passages|alerts>.csv` (docs/contract.md#http-api, admin): the log's filters, streamed a
 * page at a time with back-pressure, so memory stays flat whatever the row count; times in the
 * site's time zone; each export audited with its filters and row count.
 */
export function exportRouter(
  store: Store,
  timeZone: string,
  checkpointName: (id: string) => string | undefined,
): Router {
  const time = (iso: string | null) => (iso === null ? null : localTime(Date.parse(iso), timeZone));
  const place = (id: string | null) =>
    id === null ? null : chineseFirst(checkpointName(id) ?? id);
  const zh = <K extends string>(words: Record<K, Words>, key: K | null) =>
    key === null ? null : (words[key]?.zh ?? key);
  const next = (cursor: string | null) =>
    cursor === null ? undefined : (parseCursor(cursor) ?? undefined);
  const exports: Record<string, Export> = {
    readings: {
      header: [
        "编号 id",
        "时间 time",
        "检查点 checkpoint",
        "设备 device_id",
        "体温 temp_c",
        "原始读数 raw_c",
        "环境温度 ambient_c",
        "状态 status",
        "出入证号 pass_id",
        "检查点编号 checkpoint_id",
      ],
      page(query, cursor) {
        const page = store.readings.page({ ...logFilter(query), cursor, limit: CHUNK });
        return {
          rows: page.items.map((r) => [
            r.id,
            time(r.ts),
            place(r.checkpoint_id),
            r.device_id,
            r.temp_c,
            r.raw_c,
            r.ambient_c,
            zh(STATUS_WORDS, r.status),
            r.pass_id,
            r.checkpoint_id,
          ]),
          next: next(page.next_cursor),
        };
      },
    },
    passages: {
      header: [
        "编号 id",
        "时间 time",
        "检查点 checkpoint",
        "出入证号 pass_id",
        "姓名 holder_name",
        "体温 temp_c",
        "结果 decision",
        "原因 reasons",
        "检查点编号 checkpoint_id",
      ],
      page(query, cursor) {
        const page = store.passages.page({ ...logFilter(query), cursor, limit: CHUNK });
        return {
          rows: page.items.map((p) => [
            p.id,
            time(p.ts),
            place(p.checkpoint_id),
            p.pass_id,
            p.holder_name,
            p.temp_c,
            zh(DECISION_WORDS, p.decision),
            p.reasons.map((reason) => zh(REASON_WORDS, reason)).join("；"),
            p.checkpoint_id,
          ]),
          next: next(page.next_cursor),
        };
      },
    },
    alerts: {
      header: [
        "编号 id",
        "发生时间 opened_at",
        "类型 kind",
        "状态 state",
        "检查点 checkpoint",
        "设备 device_id",
        "出入证号 pass_id",
        "体温 temp_c",
        "确认人 acknowledged_by",
        "确认时间 acknowledged_at",
        "处理人 resolved_by",
        "处理时间 resolved_at",
        "处理结果 disposition",
        "复测体温 confirm_temp_c",
        "备注 note",
        "检查点编号 checkpoint_id",
      ],
      page(query, cursor) {
        const page = store.alerts.page({ ...logFilter(query), cursor, limit: CHUNK });
        return {
          rows: page.items.map((a) => [
            a.id,
            time(a.opened_at),
            zh(ALERT_WORDS, a.kind),
            zh(ALERT_STATE_WORDS, a.state),
            place(a.checkpoint_id),
            a.device_id,
            a.pass_id,
            a.temp_c,
            a.acknowledged_by,
            time(a.acknowledged_at),
            a.resolved_by,
            time(a.resolved_at),
            zh(DISPOSITION_WORDS, a.disposition),
            a.confirm_temp_c,
            a.note,
            a.checkpoint_id,
          ]),
          next: next(page.next_cursor),
        };
      },
    },
  };

  const router = Router();
  router.get("/:file", async (req, res) => {
    const match = /^(readings|passages|alerts)\.csv$/.exec(req.params.file);
    const kind = match?.[1];
    const source = kind ? exports[kind] : undefined;
    if (!kind || !source)
      throw new HttpError(404, "export one of readings.csv, passages.csv, alerts.csv");
    const query = parseWith(exportQuery, req.query, "query");
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader(
      "Content-Disposition",
      `attachment; filename="${kind}-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    let aborted = false;
    req.on("close", () => {
      aborted = !res.writableEnded;
    });
    res.write(BOM + csvLine(source.header));
    let rows = 0;
    let cursor: PageCursor | undefined;
    do {
      const page = source.page(query, cursor);
      if (page.rows.length === 0) break;
      rows += page.rows.length;
      if (!res.write(page.rows.map(csvLine).join(""))) await once(res, "drain");
      cursor = page.next;
    } while (cursor !== undefined && !aborted);
    res.end();
    recordAction(store, req, res, "export", `${kind}.csv`, {
      filters: req.query,
      rows,
      complete: !aborted,
    });
  });
  return router;
}
