import {
  parseUpstreamTopic,
  UPSTREAM_KINDS,
  type UpstreamKind,
} from "../gateway/upstream/routes.js";
/**
 * What arrives from the gateways (SPEC 6), as rows for the district's tables (pure): the topic
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
  const match = typeof id === "string" ? /^(.+):(\d+)$/.exec(id) : null;
  if (!match || match[1] !== gatewayId)
    return { problem: `${topic}: id ${JSON.stringify(id)} is not ${gatewayId}:<seq>` };
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
