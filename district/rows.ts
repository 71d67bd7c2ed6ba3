/**
 * What arrives from the gateways (SPEC 6), as rows for the district's tables (pure): the topic
 * `<prefix>/<site_id>/<gateway_id>/<kind>` says whose and what; the payload is the event as the
 * gateway stored it, with its own `id` `<gateway_id>:<seq>` (the district dedupes on it).
 */
export type DistrictRow =
  | { kind: "status"; siteId: string; gatewayId: string; online: boolean }
  | {
      kind: "passage" | "reading" | "scan" | "alert" | "device_status" | "summary";
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

const KINDS = ["passage", "reading", "scan", "alert", "device_status", "summary"] as const;

export function districtRow(
  prefix: string,
  topic: string,
  payload: Buffer,
): DistrictRow | DistrictProblem {
  const levels = topic.split("/");
  const prefixLevels = prefix.split("/");
  if (levels.length !== prefixLevels.length + 3 || prefixLevels.some((p, i) => levels[i] !== p))
    return { problem: `topic ${topic} is not ${prefix}/<site>/<gateway>/<kind>` };
  const [siteId, gatewayId, kind] = levels.slice(prefixLevels.length) as [string, string, string];
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
    return { kind: "status", siteId, gatewayId, online: body.online };
  }
  if (!(KINDS as readonly string[]).includes(kind))
    return { problem: `${topic}: unknown kind ${kind}` };
  const id = body.id;
  const match = typeof id === "string" ? /^(.+):(\d+)$/.exec(id) : null;
  if (!match || match[1] !== gatewayId)
    return { problem: `${topic}: id ${JSON.stringify(id)} is not ${gatewayId}:<seq>` };
  const ts = kind === "alert" ? (body.ts ?? body.opened_at) : body.ts;
  return {
    kind: kind as (typeof KINDS)[number],
    siteId,
    gatewayId,
    id: id as string,
    seq: Number(match[2]),
    ts: typeof ts === "string" && Number.isFinite(Date.parse(ts)) ? ts : null,
    data: body,
  };
}
