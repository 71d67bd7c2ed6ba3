import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { applyEnv } from "../common/config-env.js";

/** Environment variables that override the file: `DISTRICT_HTTP__PORT=8090`. */
export const DISTRICT_ENV_PREFIX = "DISTRICT_";

/**
 * A district worker's config (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): the district broker it reads every gateway's events
 * from (a shared subscription, so workers split the stream), the PostgreSQL database it writes
 * them to, and how it batches.
 */
const schemaShape = z.strictObject({
  district_id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, "must be 1-40 letters, digits, '_', '.' or '-'")
    .default("district")
    .describe("The district's name, in its console, its exports and its logs."),
  worker_id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, "must be 1-40 letters, digits, '_', '.' or '-'")
    .default("worker-1")
    .describe(
      "This worker's name: its broker sessions are kept under it, so a worker started again takes up what it had not acknowledged.",
    ),
  broker: z
    .strictObject({
      url: z.string().min(1).describe("The district broker, mqtt:// or mqtts://."),
      username: z.string().optional().describe("The district's account there (read district/#)."),
      password: z.string().optional().describe("Its password."),
      topic_prefix: z.string().default("district").describe("The gateways' upstream topic_prefix."),
      share_group: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .default("district")
        .describe(
          "The shared subscription's group ($share/<share_group>/<topic_prefix>/#): workers of one group split the events.",
        ),
      workers: z
        .number()
        .int()
        .min(1)
        .max(64)
        .default(1)
        .describe(
          "Worker processes this command starts (<worker_id>-1, -2, ...), sharing the HTTP port; 1: this process is the worker.",
        ),
      connections: z
        .number()
        .int()
        .min(1)
        .max(256)
        .default(16)
        .describe(
          "Connections per worker: each holds one message until its batch commits, so this many are in flight.",
        ),
    })
    .describe("The district broker."),
  database: z
    .strictObject({
      url: z.string().min(1).describe("PostgreSQL, postgres://user:password@host:port/database."),
    })
    .describe("The district's PostgreSQL database."),
  http: z
    .strictObject({
      host: z.string().default("0.0.0.0").describe("Where the API and the console listen."),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .optional()
        .describe(
          "The port of the district's API (/api/district) and console (/district); none: this worker serves neither.",
        ),
    })
    .prefault({})
    .describe("The district's HTTP API and console (docs/contract.md#the-district-centre)."),
  admin_password: z
    .string()
    .min(8)
    .optional()
    .describe(
      "The first password of the district's 'admin' (used while no district admin exists); best given as DISTRICT_ADMIN_PASSWORD.",
    ),
  retention_days: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(28)
    .describe(
      "Days the district keeps what names a person or a pass (passages, readings, scans, resolved alerts and their changes, refused and quarantined payloads); daily summaries and gateways are kept.",
    ),
  health: z
    .strictObject({
      host: z.string().default("127.0.0.1").describe("Where the worker answers GET /health."),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .optional()
        .describe("Its port (0: any free one; none: no health endpoint)."),
    })
    .prefault({})
    .describe("The worker's health endpoint, for a monitor or a load balancer."),
  console: z
    .strictObject({
      timezone: z
        .string()
        .default("Asia/Shanghai")
        .describe("The district's time zone: what 'today' and a report's date mean."),
      session_ttl_h: z
        .number()
        .positive()
        .default(12)
        .describe("Hours a console login stays valid."),
      trust_proxy: z
        .boolean()
        .default(false)
        .describe(
          "The console is behind an HTTPS reverse proxy: the client's address and protocol come from its X-Forwarded-For and X-Forwarded-Proto (so throttling is per real client), and the session cookie is Secure.",
        ),
    })
    .prefault({})
    .describe(
      "The district console (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): every site at a glance, live fevers, daily reports.",
    ),
  batch: z
    .strictObject({
      max_rows: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(500)
        .describe("Most events per transaction."),
      max_wait_ms: z
        .number()
        .min(0)
        .max(1000)
        .default(5)
        .describe("How long an event may wait for others to share its commit."),
    })
    .prefault({})
    .describe("Batching of inserts."),
  limits: z
    .strictObject({
      payload_max_kb: z
        .number()
        .positive()
        .max(1024)
        .default(64)
        .describe("A message larger than this is refused (kept in the dead-letter table)."),
      text_max_chars: z
        .number()
        .int()
        .min(100)
        .max(100_000)
        .default(2000)
        .describe("A text (any string in a payload) longer than this is refused."),
      past_days: z
        .number()
        .positive()
        .max(3650)
        .default(400)
        .describe("An event older than this many days is refused (no partition for it)."),
      future_days: z
        .number()
        .positive()
        .max(30)
        .default(2)
        .describe("An event more than this many days ahead of the worker's clock is refused."),
      dead_letters_kept: z
        .number()
        .int()
        .min(100)
        .max(10_000_000)
        .default(100_000)
        .describe("How many refused events the dead-letter table keeps (the newest)."),
      quarantine_kept: z
        .number()
        .int()
        .min(100)
        .max(10_000_000)
        .default(100_000)
        .describe(
          "How many events of gateways the registry does not know the quarantine keeps (the newest), until an admin assigns them.",
        ),
    })
    .prefault({})
    .describe(
      "What one event may be: outside these it is refused, kept in the dead-letter table with why, and acknowledged, so no event can stop a worker.",
    ),
});

/**
 * The keys the district took before the contract's (docs/fleet.md#district-configuration), still
 * read: `console.port`, `console.host` and `console.admin_password` for `http.port`, `http.host`
 * and `admin_password`, `broker.group` for `broker.share_group`. The contract's key wins where
 * both are given.
 */
const ALIASES: [from: [string, string], to: [string] | [string, string]][] = [
  [
    ["console", "port"],
    ["http", "port"],
  ],
  [
    ["console", "host"],
    ["http", "host"],
  ],
  [["console", "admin_password"], ["admin_password"]],
  [
    ["broker", "group"],
    ["broker", "share_group"],
  ],
];

function withoutAliases(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const root: Record<string, unknown> = { ...raw };
  for (const [[section, key], to] of ALIASES) {
    const from = root[section];
    if (!isRecord(from) || !(key in from)) continue;
    const { [key]: value, ...rest } = from;
    root[section] = rest;
    const [first, second] = to;
    if (second === undefined) root[first] ??= value;
    else {
      const target = isRecord(root[first]) ? { ...(root[first] as object) } : {};
      (target as Record<string, unknown>)[second] ??= value;
      root[first] = target;
    }
  }
  return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const districtConfigSchema = z.preprocess(withoutAliases, schemaShape);

export type DistrictConfig = z.output<typeof schemaShape>;

/** Reads a district config file, with `DISTRICT_` overrides from `env`, validated. */
export function loadDistrictConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): DistrictConfig {
  const raw = withoutAliases(parse(readFileSync(file, "utf8")) ?? {});
  const result = schemaShape.safeParse(applyEnv(raw, env, DISTRICT_ENV_PREFIX, schemaShape));
  if (!result.success)
    throw new Error(
      result.error.issues
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("\n"),
    );
  return result.data;
}
