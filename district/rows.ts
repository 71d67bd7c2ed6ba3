import { z } from "zod";
import {
  parseUpstreamTopic,
  UPSTREAM_KINDS,
  type UpstreamKind,
} from "../common/upstream-routes.js";
/**
 * What arrives from the gateways (docs/contract.md#upstream-the-district), as rows for the district's tables (pure): the topic
 * `<prefix>/<site_id>/<gateway_id>/<kind>` says whose and what; the payload is the event as the
 * gateway stored it, with its own `id` `<gateway_id>:<seq>` (the district dedupes on it).
 */
export type DistrictRow =
  | {
      kind: "status";
      siteId: string;
      gatewayId: string;
      online: boolean;
      /** The gateway's outbox while it was connected (null: not said). */
      queueDepth: number | null;
      queueAgeS: number | null;
      /** Where it stands among the gateway's statuses, or null if it does not say (statusOrder). */
      order: StatusOrder | null;
    }
  | {
      kind: UpstreamKind;
      siteId: string;
      gatewayId: string;
      id: string;
      seq: number;
      /** The event's time (ISO), or null for a summary (it has its date). */
      ts: string | null;
      data: Record<string, unknown>;
    }
  /**
   * An event the district cannot take (refused here, or by PostgreSQL when written alone): kept
   * in the dead-letter table with why, its topic and the start of its payload, and
   * acknowledged, so the broker does not deliver it again forever.
   */
  | {
      kind: "refused";
      /** From the topic; empty when the topic names none. */
      siteId: string;
      gatewayId: string;
      topic: string;
      reason: string;
      payload: string;
    };

/**
 * A status's place among its gateway's statuses: its connection's number and its number within
 * that connection, the will (no `n`) after every status of its connection. Statuses reach the
 * district out of order (a shared subscription hands consecutive messages to different workers
 * and sessions), so the newest is the highest, not the last committed.
 */
export interface StatusOrder {
  connection: number;
  /** null: the connection's last will. */
  n: number | null;
}

/** Whether `a` is after `b` (pure; statuses that do not say are taken in arrival order). */
export function statusAfter(a: StatusOrder | null, b: StatusOrder | null): boolean {
  if (a === null || b === null) return true;
  if (a.connection !== b.connection) return a.connection > b.connection;
  return (a.n ?? Number.POSITIVE_INFINITY) > (b.n ?? Number.POSITIVE_INFINITY);
}

export interface DistrictProblem {
  problem: string;
}

/**
 * What a worker takes from one message (config `limits`): its size, each text's length, and
 * its time within a window around now. Anything outside is refused rather than risk a batch:
 * PostgreSQL holds times from 4713 BC to 294276 AD but JavaScript dates only to 275760, a NUL
 * is no text to PostgreSQL, and a month partition is made for every month an event names.
 */
export interface RowLimits {
  payloadBytes: number;
  textChars: number;
  pastMs: number;
  futureMs: number;
}

/** How much of a refused payload the dead-letter table keeps (it is evidence, not data). */
export const REFUSED_PAYLOAD_CHARS = 2000;

/** A refused message as its dead-letter row: NULs dropped, its start kept. */
export function refusedRow(
  prefix: string,
  topic: string,
  payload: Buffer,
  reason: string,
): Extract<DistrictRow, { kind: "refused" }> {
  const parts = parseUpstreamTopic(prefix, topic);
  const clean = (text: string, max: number) => text.replaceAll("\u0000", "").slice(0, max);
  return {
    kind: "refused",
    siteId: clean(parts?.siteId ?? "", 200),
    gatewayId: clean(parts?.gatewayId ?? "", 200),
    topic: clean(topic, 500),
    reason: clean(reason, 1000),
    payload: clean(
      payload.subarray(0, REFUSED_PAYLOAD_CHARS * 4).toString("utf8"),
      REFUSED_PAYLOAD_CHARS,
    ),
  };
}

/** The first string in a JSON value that is too long or holds a NUL, as its path and why. */
function badText(value: unknown, maxChars: number, path = ""): string | null {
  if (typeof value === "string") {
    if (value.includes("\u0000")) return `${path || "a text"} holds a NUL character`;
    if (value.length > maxChars)
      return `${path || "a text"} has ${value.length} characters, over ${maxChars}`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = badText(item, maxChars, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const bad =
        badText(key, maxChars, `${path}.<key>`) ??
        badText(item, maxChars, path ? `${path}.${key}` : key);
      if (bad) return bad;
    }
  }
  return null;
}

/**
 * The fields the district's tables take from each kind's payload, as the columns take them
 * (text, real, timestamptz): a payload with one of them of another type is refused here, named,
 * rather than failing the batch it would share in PostgreSQL. Other fields are kept as they come
 * (in the `data` column).
 */
const text = z.string().max(200).nullish();
const instant = z
  .string()
  .refine((value) => Number.isFinite(Date.parse(value)), "not a time")
  .nullish();
const temperature = z.number().finite().nullish();
const PAYLOAD_FIELDS: Record<UpstreamKind, z.ZodType> = {
  passage: z.looseObject({
    checkpoint_id: text,
    decision: z.enum(["allow", "deny"]),
    reasons: z.array(z.string().max(100)).max(20).nullish(),
    temp_c: temperature,
  }),
  reading: z.looseObject({ checkpoint_id: text, status: text, temp_c: temperature }),
  scan: z.looseObject({}),
  device_status: z.looseObject({}),
  summary: z.looseObject({ date: text }),
  alert: z.looseObject({
    alert_id: z.string().max(200),
    kind: z.string().max(100),
    state: z.string().max(100),
    checkpoint_id: text,
    device_id: text,
    temp_c: temperature,
    opened_at: instant,
  }),
};

/** What an id of one of the gateway's own events looks like: `<gateway_id>:<seq>`. */
function ownId(value: unknown, gatewayId: string): RegExpExecArray | null {
  const match = typeof value === "string" ? /^(.+):(\d{1,15})$/.exec(value) : null;
  return match && match[1] === gatewayId ? match : null;
}

/**
 * A field of the payload that names another gateway, site or alert than the topic's, or null.
 * Identity is the topic's (the broker's ACL ties it to the gateway's account): a gateway must
 * not close another gateway's alert by naming its id, nor speak for another site.
 */
function foreignIdentity(
  body: Record<string, unknown>,
  siteId: string,
  gatewayId: string,
): string | null {
  if ("alert_id" in body && !ownId(body.alert_id, gatewayId))
    return `alert_id ${JSON.stringify(body.alert_id)} is not one of ${gatewayId}'s alerts`;
  if ("gateway_id" in body && body.gateway_id !== gatewayId)
    return `gateway_id ${JSON.stringify(body.gateway_id)} is not the topic's ${gatewayId}`;
  if ("site_id" in body && body.site_id !== siteId)
    return `site_id ${JSON.stringify(body.site_id)} is not the topic's ${siteId}`;
  return null;
}

export function districtRow(
  prefix: string,
  topic: string,
  payload: Buffer,
  limits: RowLimits,
  nowMs: number,
): DistrictRow | DistrictProblem {
  const parts = parseUpstreamTopic(prefix, topic);
  if (!parts) return { problem: `topic ${topic} is not ${prefix}/<site>/<gateway>/<kind>` };
  const { siteId, gatewayId, kind } = parts;
  if (payload.length > limits.payloadBytes)
    return {
      problem: `${topic}: the payload has ${payload.length} bytes, over ${limits.payloadBytes}`,
    };
  let data: unknown;
  try {
    data = JSON.parse(payload.toString("utf8"));
  } catch {
    return { problem: `${topic}: the payload is not JSON` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return { problem: `${topic}: the payload is not a JSON object` };
  const text = badText(data, limits.textChars);
  if (text) return { problem: `${topic}: ${text}` };
  const body = data as Record<string, unknown>;
  if (kind === "status") {
    if (typeof body.online !== "boolean")
      return { problem: `${topic}: online is not true or false` };
    const count = (value: unknown) =>
      typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
    const number = (value: unknown) =>
      Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null;
    const connection = number(body.connection);
    const n = number(body.n);
    // A status that says it badly is taken in arrival order, as one that does not say.
    const ordered = connection !== null && (n !== null || body.n === undefined);
    return {
      kind: "status",
      siteId,
      gatewayId,
      online: body.online,
      queueDepth: count(body.queue_depth),
      queueAgeS: count(body.oldest_age_s),
      order: ordered ? { connection, n } : null,
    };
  }
  if (!(UPSTREAM_KINDS as readonly string[]).includes(kind))
    return { problem: `${topic}: unknown kind ${kind}` };
  const id = body.id;
  const match = ownId(id, gatewayId);
  if (!match) return { problem: `${topic}: id ${JSON.stringify(id)} is not ${gatewayId}:<seq>` };
  const fields = PAYLOAD_FIELDS[kind as UpstreamKind].safeParse(body);
  if (!fields.success)
    return {
      problem: `${topic}: ${id} ${fields.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    };
  const foreign = foreignIdentity(body, siteId, gatewayId);
  if (foreign) return { problem: `${topic}: ${id} ${foreign}` };
  const ts = kind === "alert" ? (body.ts ?? body.opened_at) : body.ts;
  const usableTs = typeof ts === "string" && Number.isFinite(Date.parse(ts)) ? ts : null;
  // Their tables are partitioned by time and keyed on (id, ts): a time made up here would store
  // the same event again when it is sent again.
  if (usableTs === null && (kind === "passage" || kind === "reading"))
    return { problem: `${topic}: ${kind} ${id} has no usable ts` };
  for (const [field, value] of [
    ["ts", usableTs],
    ["opened_at", kind === "alert" ? body.opened_at : null],
  ] as const) {
    if (typeof value !== "string") continue;
    const ms = Date.parse(value);
    if (ms < nowMs - limits.pastMs || ms > nowMs + limits.futureMs)
      return {
        problem: `${topic}: ${kind} ${id} ${field} ${value} is outside the window the district takes (limits.past_days, limits.future_days)`,
      };
  }
  return {
    kind: kind as UpstreamKind,
    siteId,
    gatewayId,
    id: id as string,
    seq: Number(match[2]),
    ts: usableTs,
    data: body,
  };
}
