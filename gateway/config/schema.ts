import { z } from "zod";
import { deviceFields, idField as id } from "../devices/device-fields.js";
import { terminalSchema as httpDeviceSchema, serialDeviceSchema } from "../devices/protocols.js";

/**
 * The configuration schema (docs/contract.md#configuration): every field has a description and a default, and the
 * file is validated once at boot. Objects are strict so that a misspelt key is an error that
 * names itself rather than a setting silently ignored.
 */

const celsius = z.number().min(-50).max(100);

const screeningFields = {
  fever_above_c: celsius.describe(
    "A temperature above this (after rounding to 0.1 °C) is a fever.",
  ),
  comparator: z
    .enum([">", ">="])
    .describe("'>' flags readings above fever_above_c; '>=' flags it and above."),
  low_below_c: celsius.describe("Below this a reading is 'low': measure again."),
  invalid_below_c: celsius.describe("Below this a reading is 'invalid'."),
  invalid_above_c: celsius.describe("Above this a reading is 'invalid'."),
};

export const screeningSchema = z.strictObject({
  fever_above_c: screeningFields.fever_above_c.default(37.3),
  comparator: screeningFields.comparator.default(">"),
  low_below_c: screeningFields.low_below_c.default(35.0),
  invalid_below_c: screeningFields.invalid_below_c.default(30.0),
  invalid_above_c: screeningFields.invalid_above_c.default(43.0),
});

/**
 * A checkpoint's overrides of the site's rules: only what it names (no defaults here, or a
 * checkpoint that changes only `low_below_c` would put the fever bound back to 37.3 whatever
 * the site's is).
 */
const screeningOverrideSchema = z.strictObject({
  fever_above_c: screeningFields.fever_above_c.optional(),
  comparator: screeningFields.comparator.optional(),
  low_below_c: screeningFields.low_below_c.optional(),
  invalid_below_c: screeningFields.invalid_below_c.optional(),
  invalid_above_c: screeningFields.invalid_above_c.optional(),
});

const checkpointSchema = z.strictObject({
  id: id.describe("Checkpoint id, used in topics, URLs and logs."),
  name: z.string().min(1).describe("Name shown to people, e.g. 'North gate / 北门'."),
  direction: z.enum(["in", "out", "both"]).default("both").describe("Which way people pass."),
  mode: z
    .enum(["temperature_only", "pass_and_temperature", "pass_only"])
    .default("temperature_only")
    .describe("What the checkpoint checks (docs/contract.md#identity-and-order)."),
  enforcement: z
    .enum(["hard", "soft"])
    .default("hard")
    .describe(
      "'hard': any reason denies; 'soft': allow and flag (docs/contract.md#screening-and-decisions).",
    ),
  screening: screeningOverrideSchema
    .optional()
    .describe("Overrides of the site's screening rules for this checkpoint."),
  door: id
    .optional()
    .describe("Id of a door controller device (kind door) told to open on every allowed passage."),
});

const mqttDeviceSchema = z.strictObject({
  ...deviceFields,
  transport: z
    .literal("mqtt")
    .default("mqtt")
    .describe("How the device is reached: mqtt (the default) or serial."),
  kind: z
    .enum(["thermometer", "pass_reader", "door"])
    .describe("What the device measures or reads; a door controller receives open commands."),
  password: z
    .string({
      error: (issue) => (issue.input === undefined ? "required for an MQTT device" : undefined),
    })
    .min(8, "must be at least 8 characters")
    .describe("MQTT password of the device."),
});

/** A device, by transport: MQTT (the default), serial, or an http terminal. */
const deviceSchema = z.discriminatedUnion(
  "transport",
  [mqttDeviceSchema, serialDeviceSchema, httpDeviceSchema],
  { error: "must be mqtt, serial or http" },
);

/** Every field on its own; `configSchema` adds the checks across fields. */
export const configShape = z.strictObject({
  gateway_id: id.default("gw-demo").describe("This gateway's id: the prefix of every event id."),
  site: z
    .strictObject({
      id: id.default("demo").describe("Site id, used in upstream topics."),
      name: z.string().default("Demo community").describe("Site name shown on pages."),
      timezone: z
        .string()
        .default("Asia/Shanghai")
        .refine(isTimeZone, "must be an IANA time zone such as Asia/Shanghai")
        .describe("Time zone for pages, exports and daily summaries."),
    })
    .prefault({})
    .describe("The site this gateway serves."),
  http: z
    .strictObject({
      host: z.string().default("0.0.0.0").describe("Address the HTTP server listens on."),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(8080)
        .describe("HTTP port (0: any free port)."),
      body_limit: z.string().default("256kb").describe("Largest accepted request body."),
      allowed_origins: z
        .array(z.string().url())
        .default([])
        .describe(
          "Other origins (e.g. https://console.example) whose pages may change things with a guard's or admin's session cookie; the gateway's own always may.",
        ),
    })
    .prefault({})
    .describe("HTTP API, pages and WebSocket."),
  mqtt: z
    .strictObject({
      mode: z
        .enum(["embedded", "external"])
        .default("embedded")
        .describe("Run the broker in-process, or connect to one."),
      host: z.string().default("0.0.0.0").describe("Address the embedded broker listens on."),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(1883)
        .describe("Port of the embedded broker (0: any free port)."),
      url: z
        .string()
        .regex(/^mqtts?:\/\/[^/]+/, "must be mqtt://host[:port] or mqtts://host[:port]")
        .optional()
        .describe("URL of the external broker (mode external), mqtt:// or mqtts://."),
      username: z.string().optional().describe("The gateway's username at the external broker."),
      password: z.string().optional().describe("The gateway's password at the external broker."),
      ca_file: z
        .string()
        .optional()
        .describe("CA certificate (PEM) to trust for an mqtts:// external broker."),
      connections: z
        .number()
        .int()
        .min(1)
        .max(64)
        .default(32)
        .describe(
          "External broker: sessions reading the devices; more than one share a subscription ($share) so their messages fill each commit together.",
        ),
      max_packet_kb: z
        .number()
        .int()
        .min(1)
        .max(1024)
        .default(64)
        .describe(
          "Embedded broker: the largest packet a logged-in client may send; a larger one closes its connection before it is read.",
        ),
      max_packet_before_login_kb: z
        .number()
        .int()
        .min(1)
        .max(1024)
        .default(8)
        .describe(
          "Embedded broker: the largest packet before a client has logged in (its CONNECT).",
        ),
      max_connections_per_address: z
        .number()
        .int()
        .positive()
        .default(100)
        .describe("Embedded broker: open connections allowed from one address."),
      max_unauthenticated: z
        .number()
        .int()
        .positive()
        .default(100)
        .describe(
          "Embedded broker: connections allowed at once that have not logged in yet (each has 10 s to do so).",
        ),
    })
    .prefault({})
    .describe("Where devices publish."),
  database: z
    .strictObject({
      path: z
        .string()
        .default("./data/checkpoint.db")
        .describe("SQLite file (':memory:' for tests)."),
    })
    .prefault({})
    .describe("Local store."),
  screening: screeningSchema
    .prefault({})
    .describe("Screening rules of the site (docs/contract.md#screening-and-decisions)."),
  pairing_window_s: z
    .number()
    .positive()
    .max(600)
    .default(10)
    .describe("How close a scan and a reading must be to form one passage."),
  home_assistant: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "Announce every thermometer, reader and checkpoint to Home Assistant by MQTT discovery on the gateway's broker.",
        ),
      discovery_prefix: z
        .string()
        .regex(
          /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
          "must be topic levels of letters, digits, '_' or '-'",
        )
        .default("homeassistant")
        .describe(
          "Home Assistant's MQTT discovery prefix (its own setting, homeassistant by default).",
        ),
    })
    .prefault({})
    .describe("Home Assistant MQTT discovery (docs/contract.md#configuration)."),
  backup: z
    .strictObject({
      dir: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Folder for a daily backup of the database, checkpoint-YYYY-MM-DD.db (none: no daily backup).",
        ),
      keep: z
        .number()
        .int()
        .min(1)
        .max(366)
        .default(7)
        .describe("Daily backups kept; older ones in the folder are deleted."),
      at_hour: z
        .number()
        .int()
        .min(0)
        .max(23)
        .default(3)
        .describe("The site's local hour from which each day's backup is taken."),
    })
    .prefault({})
    .describe("Daily backups of the database (checkpoint-gateway backup makes one at any time)."),
  pictures: z
    .strictObject({
      max_mb: z
        .number()
        .min(1)
        .max(1_000_000)
        .default(1024)
        .describe(
          "Disk the kept pictures of all terminals may take, in MB; past it the oldest are deleted first.",
        ),
    })
    .prefault({})
    .describe("Pictures of terminals with keep_pictures (pictures/ beside the database)."),
  retention_days: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(28)
    .describe("Days personal data is kept."),
  admin_password: z
    .string()
    .min(8, "must be at least 8 characters")
    .optional()
    .describe(
      "First password of the 'admin' account; used only while no admin exists. Best given as CHECKPOINT_ADMIN_PASSWORD.",
    ),
  session_ttl_h: z.number().positive().default(12).describe("Hours a login stays valid."),
  kiosk: z
    .strictObject({
      voice: z
        .enum(["zh_en", "zh", "off"])
        .default("zh_en")
        .describe(
          "The entrant's screen speaks each result: in Chinese then English (zh_en), Chinese only (zh), or not at all (off).",
        ),
      fever_hold_s: z
        .number()
        .min(0)
        .max(120)
        .default(8)
        .describe(
          "Seconds a fever stays on the entrant's screen at least, even when the next person is read meanwhile.",
        ),
    })
    .prefault({})
    .describe("The entrant's screen."),
  live: z
    .strictObject({
      max_buffered_kb: z
        .number()
        .int()
        .positive()
        .default(1024)
        .describe("A live client with more unsent data than this is dropped."),
      ping_interval_s: z
        .number()
        .positive()
        .default(30)
        .describe("Seconds between pings; a client that misses one is dropped."),
      max_replay: z
        .number()
        .int()
        .positive()
        .default(10000)
        .describe("Most events replayed to a guard client resuming with since=."),
      max_replay_kiosk: z
        .number()
        .int()
        .positive()
        .default(200)
        .describe(
          "Most events replayed to a kiosk resuming with since= (a screen shows the latest).",
        ),
      max_kiosk_clients: z
        .number()
        .int()
        .positive()
        .default(500)
        .describe("Kiosk connections (no login) allowed in all; more are refused with 503."),
      max_kiosk_clients_per_address: z
        .number()
        .int()
        .positive()
        .default(20)
        .describe("Kiosk connections allowed from one address; more are refused with 429."),
    })
    .prefault({})
    .describe("WebSocket live push."),
  alerts: z
    .strictObject({
      low_retest_window_min: z
        .number()
        .positive()
        .max(1440)
        .default(10)
        .describe("Lows of the same pass within this many minutes count together."),
      low_retest_same_pass: z
        .number()
        .int()
        .min(2)
        .max(10)
        .default(2)
        .describe("This many lows of one pass in the window raise low_retest."),
      low_retest_in_a_row: z
        .number()
        .int()
        .min(2)
        .max(20)
        .default(3)
        .describe("This many lows in a row at a checkpoint without passes raise low_retest."),
    })
    .prefault({})
    .describe("When alerts are raised (docs/contract.md#screening-and-decisions)."),
  ingest: z
    .strictObject({
      commit_delay_ms: z
        .number()
        .min(0)
        .max(100)
        .default(2)
        .describe(
          "Commit at most once per this many ms: readings that arrive meanwhile share one fsync. An idle gateway commits at once; 0 commits every event-loop turn.",
        ),
      max_batch: z
        .number()
        .int()
        .min(1)
        .max(100000)
        .default(5000)
        .describe("Most messages in one transaction."),
      max_clock_skew_s: z
        .number()
        .int()
        .min(1)
        .default(86_400)
        .describe(
          "A device time further than this from the gateway's clock is not used: the message is stored with the gateway's time, the device's kept beside it, and the device flagged.",
        ),
    })
    .prefault({})
    .describe("Group commit of device messages."),
  log_level: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("Log level."),
  checkpoints: z.array(checkpointSchema).default([]).describe("Entrances of the site."),
  devices: z.array(deviceSchema).default([]).describe("Thermometers and pass readers."),
  upstream: z
    .strictObject({
      url: z
        .string()
        .regex(
          /^(mqtts?|https?):\/\/[^/]+/,
          "must be mqtt(s)://host[:port] (a broker) or http(s)://host[:port][/path] (a webhook)",
        )
        .describe(
          "The district: an MQTT broker (mqtt:// or mqtts://) or an HTTPS webhook (https://, or http:// on a trusted network).",
        ),
      username: z
        .string()
        .optional()
        .describe("Username upstream (MQTT login, or HTTP Basic for a webhook)."),
      password: z.string().optional().describe("Password upstream."),
      topic_prefix: z.string().default("district").describe("First topic level upstream."),
      forward_readings: z.boolean().default(false).describe("Forward every reading and scan too."),
      personal_data: z
        .enum(["masked", "full"])
        .default("masked")
        .describe(
          "What the district is sent of people: masked (holder names as on the kiosk, no guard usernames or notes) or full (as stored, where the district's rules require names).",
        ),
      ca_file: z
        .string()
        .optional()
        .describe("CA certificate file (PEM) to trust for mqtts:// or https://."),
      max_in_flight: z
        .number()
        .int()
        .min(1)
        .max(10000)
        .default(200)
        .describe("Most events sent and not yet acknowledged."),
      backlog_rate_per_s: z
        .number()
        .positive()
        .default(2000)
        .describe(
          "Most backlog events sent per second after an outage (alerts are never held back).",
        ),
      max_queue: z
        .number()
        .int()
        .positive()
        .default(1_000_000)
        .describe(
          "Outbox size at which the gateway warns (at 80%) that upstream is far behind; nothing is dropped.",
        ),
    })
    .optional()
    .describe("District server to forward events to."),
});

/** A problem found across fields: where it is, and what is wrong. */
export interface CrossFieldIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The contradictions one field cannot show on its own (ids repeated, a device at a checkpoint
 * that does not exist, screening bounds out of order). Each group of checks names the top-level
 * fields it reads, so a config whose other fields are wrong still gets these checked in the same
 * pass (`skip`: fields that did not parse).
 */
export function crossFieldIssues(
  config: z.output<typeof configShape>,
  skip: ReadonlySet<string> = new Set(),
): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const reads = (...fields: string[]) => fields.every((field) => !skip.has(field));
  if (reads("checkpoints", "devices")) {
    const checkpointIds = new Set<string>();
    config.checkpoints.forEach((checkpoint, i) => {
      if (checkpointIds.has(checkpoint.id)) {
        issues.push({
          path: ["checkpoints", i, "id"],
          message: `duplicate checkpoint id '${checkpoint.id}'`,
        });
      }
      checkpointIds.add(checkpoint.id);
    });
    const deviceIds = new Set<string>();
    const serialPaths = new Map<string, string>();
    config.devices.forEach((device, i) => {
      if (deviceIds.has(device.id)) {
        issues.push({
          path: ["devices", i, "id"],
          message: `duplicate device id '${device.id}'`,
        });
      }
      deviceIds.add(device.id);
      if (device.transport === "serial" && device.path !== undefined) {
        const owner = serialPaths.get(device.path);
        if (owner !== undefined) {
          issues.push({
            path: ["devices", i, "path"],
            message: `${device.path} is already the port of '${owner}': one device per port`,
          });
        }
        serialPaths.set(device.path, device.id);
      }
      if (!checkpointIds.has(device.checkpoint)) {
        issues.push({
          path: ["devices", i, "checkpoint"],
          message: `no checkpoint with id '${device.checkpoint}'`,
        });
      }
    });
    config.checkpoints.forEach((checkpoint, i) => {
      if (checkpoint.door === undefined) return;
      const door = config.devices.find((device) => device.id === checkpoint.door);
      if (door?.kind !== "door" || door.transport !== "mqtt") {
        issues.push({
          path: ["checkpoints", i, "door"],
          message: `no MQTT device of kind door with id '${checkpoint.door}'`,
        });
      }
    });
  }
  if (reads("checkpoints", "devices")) {
    config.devices.forEach((device, i) => {
      const checkpoint = config.checkpoints.find((c) => c.id === device.checkpoint);
      if (device.kind === "thermometer" && checkpoint?.mode === "pass_only")
        issues.push({
          path: ["devices", i, "checkpoint"],
          message: `'${checkpoint.id}' is pass_only: a thermometer there would never be used (make the checkpoint pass_and_temperature)`,
        });
    });
  }
  if (reads("mqtt")) {
    if (config.mqtt.mode === "external" && config.mqtt.url === undefined) {
      issues.push({
        path: ["mqtt", "url"],
        message: "required when mode is external",
      });
    }
    if (config.mqtt.mode === "embedded" && config.mqtt.url !== undefined)
      issues.push({
        path: ["mqtt", "url"],
        message:
          "only used with mode external (the embedded broker listens on mqtt.host and mqtt.port)",
      });
    if (config.mqtt.max_packet_before_login_kb > config.mqtt.max_packet_kb)
      issues.push({
        path: ["mqtt", "max_packet_before_login_kb"],
        message: `${config.mqtt.max_packet_before_login_kb} must not be above max_packet_kb (${config.mqtt.max_packet_kb}): a client may send less before it logs in, not more`,
      });
  }
  if (reads("live") && config.live.max_kiosk_clients_per_address > config.live.max_kiosk_clients)
    issues.push({
      path: ["live", "max_kiosk_clients_per_address"],
      message: `${config.live.max_kiosk_clients_per_address} must not be above max_kiosk_clients (${config.live.max_kiosk_clients})`,
    });
  if (reads("screening", "checkpoints")) {
    issues.push(...screeningOrder(config.screening, ["screening"]));
    config.checkpoints.forEach((checkpoint, i) => {
      if (!checkpoint.screening || Object.keys(checkpoint.screening).length === 0) return;
      issues.push(
        ...screeningOrder({ ...config.screening, ...checkpoint.screening }, [
          "checkpoints",
          i,
          "screening",
        ]),
      );
    });
  }
  return issues;
}

/**
 * Screening bounds must be in order, `invalid_below_c < low_below_c < fever_above_c <
 * invalid_above_c`, or a status can never happen (a fever above 50 °C when 43 is invalid).
 */
function screeningOrder(
  rules: z.output<typeof screeningSchema>,
  at: (string | number)[],
): CrossFieldIssue[] {
  const order = ["invalid_below_c", "low_below_c", "fever_above_c", "invalid_above_c"] as const;
  const issues: CrossFieldIssue[] = [];
  for (const [i, above] of order.entries()) {
    const below = order[i - 1];
    if (below === undefined) continue;
    if (rules[below] < rules[above]) continue;
    issues.push({
      path: [...at, below],
      message: `${rules[below]} must be below ${above} (${rules[above]}): the bounds go invalid_below_c < low_below_c < fever_above_c < invalid_above_c, or a status could never happen`,
    });
  }
  return issues;
}

export const configSchema = configShape.superRefine((config, ctx) => {
  for (const issue of crossFieldIssues(config)) ctx.addIssue({ code: "custom", ...issue });
});

export type GatewayConfig = z.output<typeof configSchema>;
export type CheckpointConfig = GatewayConfig["checkpoints"][number];
export type DeviceConfig = GatewayConfig["devices"][number];
export type MqttDeviceConfig = Extract<DeviceConfig, { transport: "mqtt" }>;
export type { SerialDeviceConfig, TerminalConfig } from "../devices/protocols.js";

export function isMqttDevice(device: DeviceConfig): device is MqttDeviceConfig {
  return device.transport === "mqtt";
}
export type ScreeningConfig = z.output<typeof screeningSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
