import { Router, raw } from "express";
import { z } from "zod";
import { BOM, csvLine } from "../domain/csv.js";
import { CsvError, type CsvRecord, parseCsv } from "../domain/csv-parse.js";
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

/** The pass registry (SPEC 7 `/api/passes`, admin only). */
/** The largest pass file taken (about 20,000 passes); larger is 413. */
export const IMPORT_LIMIT = "2mb";

export function passesRouter(store: Store): Router {
  const router = Router();
  // A template for the property office's spreadsheet, with the header SPEC 7 names.
  router.get("/import/template.csv", (_req, res) => {
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", 'attachment; filename="passes-template.csv"');
    res.send(
      `${BOM}${csvLine([...IMPORT_COLUMNS])}${csvLine(["0012345678", "王小明", "3-2-401", "active", "2027-12-31T23:59:59+08:00", ""])}`,
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
    const names = header?.fields.map((name) => name.trim().toLowerCase()) ?? [];
    const missing = ["pass_id", "holder_name"].filter((name) => !names.includes(name));
    const unknown = names.filter((name) => !(IMPORT_COLUMNS as readonly string[]).includes(name));
    if (missing.length > 0 || unknown.length > 0) {
      throw new HttpError(
        400,
        `line 1: the header needs ${IMPORT_COLUMNS.join(",")}${missing.length ? `; missing ${missing.join(", ")}` : ""}${unknown.length ? `; unknown ${unknown.join(", ")}` : ""}`,
      );
    }
    const errors: { line: number; message: string }[] = [];
    const good: PassWrite[] = [];
    const seen = new Set<string>();
    for (const [i, record] of records.entries()) {
      // A large file is checked in slices, so the gateway keeps serving devices meanwhile.
      if (i > 0 && i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      const row: Record<string, unknown> = {};
      names.forEach((name, i) => {
        const value = record.fields[i]?.trim() ?? "";
        if (value !== "") row[name] = value;
        else if (name === "valid_until" || name === "observation_until") row[name] = null;
      });
      const result = createBody.safeParse(row);
      if (!result.success) {
        errors.push({
          line: record.line,
          message: result.error.issues
            .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
            .join("; "),
        });
        continue;
      }
      if (seen.has(result.data.pass_id)) {
        errors.push({
          line: record.line,
          message: `pass_id: ${result.data.pass_id} appears twice in the file`,
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
