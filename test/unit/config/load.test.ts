import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyEnvOverrides,
  ConfigError,
  loadConfig,
  validateConfig,
} from "../../../gateway/config/load.js";
import { configSchema } from "../../../gateway/config/schema.js";

function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** A field is described if it or anything it wraps (optional, default, ...) has a description. */
function describedThroughWrappers(schema: unknown): boolean {
  let node = schema as
    | { description?: string; def?: { innerType?: unknown; in?: unknown } }
    | undefined;
  while (node) {
    if (node.description) return true;
    node = (node.def?.innerType ?? node.def?.in) as typeof node;
  }
  return false;
}

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "cg-config-")), "checkpoint.yaml");
  writeFileSync(file, text);
  return file;
}

describe("configuration", () => {
  it("fills every default from an empty file", () => {
    const config = validateConfig({});
    expect(config.screening).toEqual({
      fever_above_c: 37.3,
      comparator: ">",
      low_below_c: 35,
      invalid_below_c: 30,
      invalid_above_c: 43,
    });
    expect(config.http.port).toBe(8080);
    expect(config.mqtt).toMatchObject({ mode: "embedded", port: 1883 });
    expect(config.site.timezone).toBe("Asia/Shanghai");
    expect(config.pairing_window_s).toBe(10);
    expect(config.retention_days).toBe(28);
    expect(config.database.path).toBe("./data/checkpoint.db");
  });

  it("describes every field of the schema", () => {
    const undocumented: string[] = [];
    const visit = (schema: unknown, path: string) => {
      const s = schema as {
        description?: string;
        def?: {
          type: string;
          innerType?: unknown;
          in?: unknown;
          element?: unknown;
          options?: unknown[];
          shape?: Record<string, unknown>;
        };
        shape?: Record<string, unknown>;
      };
      const def = s.def;
      if (!def) return;
      // A device is one of several shapes (by transport, then protocol): every one is walked.
      if (def.type === "union") {
        for (const option of def.options ?? []) visit(option, path);
        return;
      }
      if (
        def.type === "optional" ||
        def.type === "default" ||
        def.type === "prefault" ||
        def.type === "nullable"
      ) {
        if (
          !s.description &&
          def.innerType &&
          !(def.innerType as { description?: string }).description
        )
          undocumented.push(path);
        return visit(def.innerType, path);
      }
      if (def.type === "pipe") return visit(def.in, path);
      if (def.type === "array") return visit(def.element, `${path}[]`);
      if (def.type === "object" && s.shape) {
        for (const [key, child] of Object.entries(s.shape)) {
          if (!describedThroughWrappers(child)) undocumented.push(`${path}.${key}`);
          visit(child, `${path}.${key}`);
        }
      }
    };
    visit(configSchema, "config");
    expect(undocumented).toEqual([]);
  });

  it("has every field in the README's configuration table", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const table = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("## How a reading flows"),
    );
    const missing: string[] = [];
    type Node = {
      def: {
        type: string;
        innerType?: unknown;
        element?: unknown;
        in?: unknown;
        options?: unknown[];
      };
      shape?: Record<string, unknown>;
    };
    const unwrap = (schema: unknown) => {
      let node = schema as Node;
      while (["optional", "default", "prefault", "nullable", "pipe"].includes(node.def.type)) {
        node = (node.def.type === "pipe" ? node.def.in : node.def.innerType) as Node;
      }
      return node;
    };
    /** The fields of an object, or of every shape a union can take. */
    const fieldsOf = (node: Node): string[] | null => {
      if (node.def.type === "object" && node.shape) return Object.keys(node.shape);
      if (node.def.type === "union")
        return (node.def.options ?? []).flatMap((option) => fieldsOf(unwrap(option)) ?? []);
      return null;
    };
    for (const [key, child] of Object.entries(configSchema.shape)) {
      const node = unwrap(child);
      const inner = node.def.type === "array" ? unwrap(node.def.element) : node;
      const fields = fieldsOf(inner);
      if (fields) {
        for (const field of new Set(fields)) {
          const named = node.def.type === "array" ? `\`${field}\`` : `\`${key}.${field}\``;
          if (!table.includes(named)) missing.push(`${key}.${field}`);
        }
      } else if (!table.includes(`\`${key}\``)) {
        missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it("reports every problem as 'path: message'", () => {
    const problems = problemsOf({
      http: { port: "eighty", prot: 1 },
      screening: { comparator: "<" },
      devices: [{ id: "t1", kind: "thermometer", checkpoint: "gate-1" }],
    });
    expect(problems).toContain("http.port: Invalid input: expected number, received string");
    expect(problems).toContain('http: Unrecognized key: "prot"');
    expect(problems.some((p) => p.startsWith("screening.comparator: "))).toBe(true);
    expect(problems).toContain("devices.0.password: required for an MQTT device");
  });

  it("refuses a device at a checkpoint that does not exist, and duplicate ids", () => {
    const problems = problemsOf({
      checkpoints: [
        { id: "gate-1", name: "A" },
        { id: "gate-1", name: "B" },
      ],
      devices: [
        { id: "t1", kind: "thermometer", checkpoint: "gate-9", password: "long-enough" },
        { id: "t1", kind: "thermometer", checkpoint: "gate-1", password: "long-enough" },
      ],
    });
    expect(problems).toEqual([
      "checkpoints.1.id: duplicate checkpoint id 'gate-1'",
      "devices.0.checkpoint: no checkpoint with id 'gate-9'",
      "devices.1.id: duplicate device id 't1'",
    ]);
  });

  it.each([
    [{ fever_above_c: 50 }, "screening.fever_above_c: 50 must be below invalid_above_c (43)"],
    [{ low_below_c: 37.5 }, "screening.low_below_c: 37.5 must be below fever_above_c (37.3)"],
    [{ invalid_below_c: 36 }, "screening.invalid_below_c: 36 must be below low_below_c (35)"],
    [{ invalid_above_c: 37 }, "screening.fever_above_c: 37.3 must be below invalid_above_c (37)"],
  ])("refuses screening bounds out of order: %j", (screening, problem) => {
    const problems = problemsOf({ screening });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${problem.replace(/[().]/g, "\\$&")}`));
  });

  it.each([
    [
      {
        checkpoints: [{ id: "gate-1", name: "A", mode: "pass_only" }],
        devices: [{ id: "t1", kind: "thermometer", checkpoint: "gate-1", password: "long-enough" }],
      },
      "devices.0.checkpoint: 'gate-1' is pass_only: a thermometer there would never be used",
    ],
    [{ mqtt: { url: "mqtt://broker" } }, "mqtt.url: only used with mode external"],
    [
      { mqtt: { max_packet_kb: 16, max_packet_before_login_kb: 32 } },
      "mqtt.max_packet_before_login_kb: 32 must not be above max_packet_kb (16)",
    ],
    [
      { live: { max_kiosk_clients: 10, max_kiosk_clients_per_address: 20 } },
      "live.max_kiosk_clients_per_address: 20 must not be above max_kiosk_clients (10)",
    ],
  ])("refuses a contradiction: %j", (config, problem) => {
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(problem), problems[0]).toBe(true);
  });

  it("checks a checkpoint's own screening merged with the site's", () => {
    expect(
      problemsOf({
        screening: { fever_above_c: 37.5 },
        checkpoints: [{ id: "gate-1", name: "A", screening: { low_below_c: 37.6 } }],
      }),
    ).toEqual([
      "checkpoints.0.screening.low_below_c: 37.6 must be below fever_above_c (37.5): the bounds go invalid_below_c < low_below_c < fever_above_c < invalid_above_c, or a status could never happen",
    ]);
  });

  it("says every problem in one pass: a field's own and the contradictions across the others", () => {
    const problems = problemsOf({
      http: { port: "eighty" },
      screening: { fever_above_c: 50 },
      checkpoints: [
        { id: "gate-1", name: "A" },
        { id: "gate-1", name: "B" },
      ],
    });
    expect(problems).toEqual([
      "http.port: Invalid input: expected number, received string",
      "checkpoints.1.id: duplicate checkpoint id 'gate-1'",
      expect.stringMatching(/^screening\.fever_above_c: 50 must be below invalid_above_c \(43\)/),
    ]);
    // A contradiction that reads a field that is itself wrong is not guessed at.
    expect(
      problemsOf({
        checkpoints: "not a list",
        devices: [{ id: "t1", kind: "thermometer", checkpoint: "gate-9", password: "long-enough" }],
      }),
    ).toEqual(["checkpoints: Invalid input: expected array, received string"]);
  });

  it("requires a protocol and a path for a serial device, and the kind its protocol implies", () => {
    const problems = (device: object) =>
      problemsOf({
        checkpoints: [{ id: "gate-1", name: "A" }],
        devices: [{ id: "r1", checkpoint: "gate-1", transport: "serial", ...device }],
      });
    expect(problems({ kind: "pass_reader" })).toEqual([
      "devices.0.protocol: required for a serial device",
    ]);
    expect(problems({ protocol: "wiegand" })).toEqual([
      "devices.0.protocol: must be one of gy-mcu90614, text-line, rdm6300, qr-line",
    ]);
    expect(problems({ protocol: "rdm6300" })).toEqual([
      "devices.0.path: required for a serial device",
    ]);
    expect(problems({ protocol: "rdm6300", path: "/dev/ttyUSB0", kind: "thermometer" })).toEqual([
      "devices.0.kind: rdm6300 is a pass_reader protocol, but the device is a thermometer",
    ]);
    // A protocol's own option on another protocol's device is named, not ignored.
    expect(problems({ protocol: "rdm6300", path: "/dev/ttyUSB0", read_mode: "poll" })).toEqual([
      'devices.0: Unrecognized key: "read_mode"',
    ]);
    expect(problems({ protocol: "bogus-transport", transport: "can" })).toEqual([
      "devices.0.transport: must be mqtt, serial or http",
    ]);
  });

  it("refuses an unknown time zone and a short admin password", () => {
    expect(problemsOf({ site: { timezone: "Mars/Olympus" }, admin_password: "short" })).toEqual([
      "site.timezone: must be an IANA time zone such as Asia/Shanghai",
      "admin_password: must be at least 8 characters",
    ]);
  });

  it("overrides fields from CHECKPOINT_ variables, keeping numbers numbers", () => {
    const raw = applyEnvOverrides(
      { http: { host: "127.0.0.1" }, devices: [{ id: "t1", password: "x" }] },
      {
        CHECKPOINT_HTTP__PORT: "8081",
        CHECKPOINT_ADMIN_PASSWORD: "from-the-env",
        CHECKPOINT_SCREENING__COMPARATOR: ">=",
        CHECKPOINT_DEVICES__0__PASSWORD: "12345678",
        OTHER: "ignored",
      },
    );
    expect(raw).toEqual({
      http: { host: "127.0.0.1", port: 8081 },
      admin_password: "from-the-env",
      screening: { comparator: ">=" },
      devices: [{ id: "t1", password: "12345678" }],
    });
  });

  it("reads a YAML file and names a file that cannot be read or parsed", () => {
    const file = writeTemp("gateway_id: gw-east\nhttp: { port: 9090 }\n");
    expect(loadConfig({ file, env: {} }).config).toMatchObject({
      gateway_id: "gw-east",
      http: { port: 9090 },
    });
    expect(() => loadConfig({ file: "/nonexistent/checkpoint.yaml", env: {} })).toThrow(
      "/nonexistent/checkpoint.yaml: cannot be read (ENOENT)",
    );
    const broken = writeTemp("http:\n  port: 80\n   host: x\n");
    const problems = (() => {
      try {
        loadConfig({ file: broken, env: {} });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    // One line that says what and where, not a message that stops on a colon.
    expect(problems).toEqual([
      `${broken}: not valid YAML: Nested mappings are not allowed in compact mappings (line 2, column 9)`,
    ]);
  });

  it("an environment override can make a file invalid, and says where", () => {
    const file = writeTemp("http: { port: 9090 }\n");
    expect(() => loadConfig({ file, env: { CHECKPOINT_HTTP__PORT: "99999" } })).toThrow(
      "http.port: Too big: expected number to be <=65535",
    );
  });

  it("runs the embedded demo default when there is no file", () => {
    const { config, source } = loadConfig({ env: {} });
    expect(source).toBe("embedded default");
    expect(config.checkpoints.map((c) => c.id)).toEqual(["gate-1"]);
    expect(config.devices.map((d) => [d.id, d.transport])).toEqual([
      ["thermo-1", "mqtt"],
      ["reader-1", "mqtt"],
    ]);
  });
});
