import { Router, raw } from "express";
import { z } from "zod";
import { BOM, csvLine } from "../../common/csv.js";
import { CsvError, type CsvRecord, parseCsv } from "../domain/csv-parse.js";
import {
  STATUS_HELP,
  spreadsheetInstant,
  spreadsheetStatus,
} from "../domain/spreadsheet-values.js";
import {
  type DecodedText,
  decodeSpreadsheetText,
  TextEncodingError,
} from "../domain/text-encoding.js";
import { PASS_STATUSES, type Pass } from "../domain/types.js";
import type { PassWrite } from "../store/passes.js";
import type { Store } from "../store/store.js";
import { recordAction } from "./audit.js";
import { HttpError } from "./errors.js";
import { parseWith } from "./validation.js";

const instantOrNull = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone, or null" })
  .transform((value) => Date.parse(value))
  .nullable();

/** A text field a row must have: "is required" when missing or empty, as a spreadsheet user reads it. */
const required = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be text") })
    .trim()
    .min(1, "is required");

const fields = {
  holder_name: required().max(100),
  unit: z.string().trim().max(100),
  status: z.enum(PASS_STATUSES),
  valid_until: instantOrNull,
  observation_until: instantOrNull,
};

const createBody = z.strictObject({
  pass_id: required()
    .max(512)
    .regex(/^[^\r\n]+$/, "cannot contain a line break"),
  holder_name: fields.holder_name,
  unit: fields.unit.default(""),
  status: fields.status.default("active"),
  valid_until: fields.valid_until.default(null),
  observation_until: fields.observation_until.default(null),
});

const patchBody = z.strictObject(fields).partial();

const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: z.enum(PASS_STATUSES).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .transform((n) => Math.min(n, 1000)),
  cursor: z.string().optional(),
});

const IMPORT_COLUMNS = [
  "pass_id",
  "holder_name",
  "unit",
  "status",
  "valid_until",
  "observation_until",
] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly ImportColumn[] = ["pass_id", "holder_name"];

/** The columns' Chinese names, as the template and the exports write them. */
const COLUMN_ZH: Record<ImportColumn, string> = {
  pass_id: "出入证号",
  holder_name: "姓名",
  unit: "房号",
  status: "状态",
  valid_until: "有效期至",
  observation_until: "居家观察至",
};

/** A header cell as a column: `pass_id`, `出入证号`, or both (`出入证号 pass_id`); null if unknown. */
function importColumn(cell: string): ImportColumn | null {
  const words = cell
    .trim()
    .toLowerCase()
    .split(/[\s()（）]+/)
    .filter(Boolean);
  return (
    IMPORT_COLUMNS.find((key) => words.includes(key) || words.includes(COLUMN_ZH[key])) ?? null
  );
}

/** The zod messages a spreadsheet cell can get, said in Chinese first. */
const PROBLEM_ZH: [RegExp, string][] = [
  [/is required/, "必填"],
  [/must be text/, "须为文字"],
  [/too big|at most|<=/i, "太长"],
  [/line break/, "不能换行"],
];

function cellProblem(column: string, message: string): string {
  const zh = PROBLEM_ZH.find(([pattern]) => pattern.test(message))?.[1] ?? "有误";
  return `${COLUMN_ZH[column as ImportColumn] ?? column} ${column}：${zh} / ${column}: ${message}`;
}

/**
 * A spreadsheet row as the API's body: dates in any form an office types (2027-12-31,
 * 2027/12/31, with a time, in the site's zone) and status words in Chinese; what cannot be read
 * is said per cell, Chinese first.
 */
function spreadsheetRow(
  cells: Partial<Record<ImportColumn, string>>,
  timeZone: string,
): { row: Record<string, unknown>; problems: string[] } {
  const row: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [column, value] of Object.entries(cells) as [ImportColumn, string][]) {
    if (column === "valid_until" || column === "observation_until") {
      if (value === "") row[column] = null;
      else {
        const ms = spreadsheetInstant(value, timeZone);
        if (ms === null)
          problems.push(
            `${COLUMN_ZH[column]} ${column}：看不懂的日期“${value}”，请写 2027-12-31、2027/12/31 或 2027-12-31 18:00 / ${column}: not a date: write 2027-12-31, 2027/12/31 or 2027-12-31 18:00`,
          );
        else row[column] = new Date(ms).toISOString();
      }
    } else if (column === "status") {
      if (value === "") continue;
      const status = spreadsheetStatus(value);
      if (status === null)
        problems.push(
          `状态 status：看不懂的状态“${value}”，请写 ${STATUS_HELP} / status: write active or revoked`,
        );
      else row.status = status;
    } else if (value !== "") row[column] = value;
  }
  return { row, problems };
}

/** The pass registry (docs/contract.md#http-api `/api/passes`, admin only). */
/** The largest pass file taken (about 20,000 passes); larger is 413. */
export const IMPORT_LIMIT = "2mb";

export function passesRouter(store: Store, timeZone: string): Router {
  const router = Router();
  // A template for the property office's spreadsheet, with the header docs/contract.md#http-api names.
  router.get("/import/template.csv", (_req, res) => {
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", 'attachment; filename="passes-template.csv"');
    res.send(
      `${BOM}${csvLine(IMPORT_COLUMNS.map((key) => `${COLUMN_ZH[key]} ${key}`))}${csvLine(["0012345678", "王小明", "3-2-401", "有效", "2027-12-31", ""])}`,
    );
  });
  /**
   * `POST /api/passes/import` (text/csv): every good row goes in (an existing pass id is updated),
   * every bad row is reported by its line (the header is line 1); the good rows are written in one
   * transaction, so an import is never half written. The bytes are read as the declared
   * charset, or as UTF-8 and else GB18030 (Excel's "CSV" on a Chinese Windows).
   */
  router.post("/import", raw({ type: "text/csv", limit: IMPORT_LIMIT }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw new HttpError(415, "send the file as text/csv");
    const declared = /charset=["']?([^;"'\s]+)/i.exec(req.get("content-type") ?? "")?.[1];
    let decoded: DecodedText;
    try {
      decoded = decodeSpreadsheetText(req.body, declared);
    } catch (error) {
      if (error instanceof TextEncodingError) throw new HttpError(400, error.message);
      throw error;
    }
    let parsed: CsvRecord[];
    try {
      parsed = parseCsv(decoded.text);
    } catch (error) {
      if (error instanceof CsvError) throw new HttpError(400, error.message);
      throw error;
    }
    const [header, ...records] = parsed;
    const names = header?.fields.map(importColumn) ?? [];
    const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
    const unknown = (header?.fields ?? []).filter((_, i) => names[i] === null);
    if (missing.length > 0 || unknown.length > 0) {
      const named = (keys: readonly string[]) =>
        keys.map((key) => `${COLUMN_ZH[key as ImportColumn]} ${key}`).join("、");
      throw new HttpError(
        400,
        `第1行表头应为 ${named(IMPORT_COLUMNS)}${missing.length ? `；缺少 ${named(missing)}` : ""}${unknown.length ? `；不认识 ${unknown.join("、")}` : ""}，请使用模板 / line 1: the header needs ${IMPORT_COLUMNS.join(",")}${missing.length ? `; missing ${missing.join(", ")}` : ""}${unknown.length ? `; unknown ${unknown.join(", ")}` : ""}`,
      );
    }
    const errors: { line: number; message: string }[] = [];
    const good: PassWrite[] = [];
    const seen = new Set<string>();
    for (const [i, record] of records.entries()) {
      // A large file is checked in slices, so the gateway keeps serving devices meanwhile.
      if (i > 0 && i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      const cells: Partial<Record<ImportColumn, string>> = {};
      names.forEach((name, i) => {
        if (name) cells[name] = record.fields[i]?.trim() ?? "";
      });
      const { row, problems } = spreadsheetRow(cells, timeZone);
      if (problems.length > 0) {
        errors.push({ line: record.line, message: problems.join("; ") });
        continue;
      }
      const result = createBody.safeParse(row);
      if (!result.success) {
        errors.push({
          line: record.line,
          message: result.error.issues
            .map((issue) => cellProblem(String(issue.path[0]), issue.message))
            .join("; "),
        });
        continue;
      }
      if (seen.has(result.data.pass_id)) {
        errors.push({
          line: record.line,
          message: `出入证号 pass_id：${result.data.pass_id} 在文件中出现两次 / pass_id: ${result.data.pass_id} appears twice in the file`,
        });
        continue;
      }
      seen.add(result.data.pass_id);
      good.push(toWrite(result.data));
    }
    const nowMs = Date.now();
    store.writeBatch(() => {
      for (const pass of good)
        if (!store.passes.create(pass, nowMs)) store.passes.update(pass, nowMs);
    });
    recordAction(store, req, res, "pass_import", null, {
      imported: good.length,
      errors: errors.length,
      encoding: decoded.encoding,
    });
    res.json({ imported: good.length, errors, encoding: decoded.encoding });
  });
  router.get("/", (req, res) => {
    const query = parseWith(listQuery, req.query, "query");
    res.json(
      store.passes.list({
        query: query.q,
        status: query.status,
        limit: query.limit,
        after: query.cursor,
      }),
    );
  });
  router.get("/:passId", (req, res) => {
    res.json(existing(store, req.params.passId));
  });
  router.post("/", (req, res) => {
    const body = parseWith(createBody, req.body, "body");
    const pass = toWrite(body);
    if (!store.passes.create(pass, Date.now()))
      throw new HttpError(409, `pass ${body.pass_id} already exists`);
    recordAction(store, req, res, "pass_create", body.pass_id, { status: body.status });
    res.status(201).json(store.passes.get(body.pass_id));
  });
  router.patch("/:passId", (req, res) => {
    const current = existing(store, req.params.passId);
    const patch = parseWith(patchBody, req.body, "body");
    const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    store.passes.update(
      {
        pass_id: current.pass_id,
        holder_name: patch.holder_name ?? current.holder_name,
        unit: patch.unit ?? current.unit,
        status: patch.status ?? current.status,
        valid_until_ms:
          patch.valid_until !== undefined ? patch.valid_until : ms(current.valid_until),
        observation_until_ms:
          patch.observation_until !== undefined
            ? patch.observation_until
            : ms(current.observation_until),
      },
      Date.now(),
    );
    recordAction(store, req, res, "pass_update", current.pass_id, { fields: Object.keys(patch) });
    res.json(store.passes.get(current.pass_id));
  });
  router.delete("/:passId", (req, res) => {
    if (!store.passes.delete(req.params.passId))
      throw new HttpError(404, `no pass ${req.params.passId}`);
    recordAction(store, req, res, "pass_delete", req.params.passId);
    res.status(204).end();
  });
  return router;
}

function toWrite(body: z.output<typeof createBody>): PassWrite {
  return {
    pass_id: body.pass_id,
    holder_name: body.holder_name,
    unit: body.unit,
    status: body.status,
    valid_until_ms: body.valid_until,
    observation_until_ms: body.observation_until,
  };
}

function existing(store: Store, passId: string): Pass {
  const pass = store.passes.get(passId);
  if (!pass) throw new HttpError(404, `no pass ${passId}`);
  return pass;
}
