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
    };

export interface DistrictProblem {
  problem: string;
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

export function districtRow(
  prefix: string,
  topic: string,
  payload: Buffer,
): DistrictRow | DistrictProblem {
  const parts = parseUpstreamTopic(prefix, topic);
  if (!parts) return { problem: `topic ${topic} is not ${prefix}/<site>/<gateway>/<kind>` };
  const { siteId, gatewayId, kind } = parts;
  let data: unknown;
  try {
    data = JSON.parse(payload.toString("utf8"));
  } catch {
    return { problem: `${topic}: the payload is not JSON` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return { problem: `${topic}: the payload is not a JSON object` };
  const body = data as Record<string, unknown>;
  if (kind === "status") {
    if (typeof body.online !== "boolean")
      return { problem: `${topic}: online is not true or false` };
    const count = (value: unknown) =>
      typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
    return {
      kind: "status",
      siteId,
      gatewayId,
      online: body.online,
      queueDepth: count(body.queue_depth),
      queueAgeS: count(body.oldest_age_s),
    };
  }
  if (!(UPSTREAM_KINDS as readonly string[]).includes(kind))
    return { problem: `${topic}: unknown kind ${kind}` };
  const id = body.id;
  const match = typeof id === "string" ? /^(.+):(\d{1,15})$/.exec(id) : null;
  if (!match || match[1] !== gatewayId)
    return { problem: `${topic}: id ${JSON.stringify(id)} is not ${gatewayId}:<seq>` };
  const fields = PAYLOAD_FIELDS[kind as UpstreamKind].safeParse(body);
  if (!fields.success)
    return {
      problem: `${topic}: ${id} ${fields.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    };
  const ts = kind === "alert" ? (body.ts ?? body.opened_at) : body.ts;
  const usableTs = typeof ts === "string" && Number.isFinite(Date.parse(ts)) ? ts : null;
  // Their tables are partitioned by time and keyed on (id, ts): a time made up here would store
  // the same event again when it is sent again.
  if (usableTs === null && (kind === "passage" || kind === "reading"))
    return { problem: `${topic}: ${kind} ${id} has no usable ts` };
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
