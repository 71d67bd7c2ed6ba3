import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { applyEnv } from "../../common/config-env.js";
import { DEFAULT_CONFIG_FILE } from "./default-file.js";
import { DEMO_CONFIG } from "./demo.js";
import { configSchema, configShape, crossFieldIssues, type GatewayConfig } from "./schema.js";

export { DEFAULT_CONFIG_FILE };
export const ENV_PREFIX = "CHECKPOINT_";

/** A configuration that cannot be used; `problems` are `path: message` lines. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** The file read, or 'embedded default'. */
  source: string;
}

/**
 * Reads the YAML file (or the embedded default when no file was named and the default file
 * does not exist), applies `CHECKPOINT_` environment overrides and validates the result.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  let raw: unknown;
  let source: string;
  if (options.file !== undefined || existsSync(DEFAULT_CONFIG_FILE)) {
    source = options.file ?? DEFAULT_CONFIG_FILE;
    raw = readYamlFile(source);
  } else {
    source = "embedded default";
    raw = structuredClone(DEMO_CONFIG);
  }
  return { config: validateConfig(applyEnvOverrides(raw, env)), source };
}

/**
 * Validates a config; a config with problems is refused with every one of them at once: the
 * fields' own problems, and the contradictions across the fields that did parse (a wrong port
 * does not hide a fever bound above the invalid one).
 */
export function validateConfig(raw: unknown): GatewayConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = formatIssues(result.error.issues);
  for (const issue of crossFieldIssuesOfTheRest(raw)) {
    const line = `${issue.path.join(".")}: ${issue.message}`;
    if (!problems.includes(line)) problems.push(line);
  }
  throw new ConfigError(problems);
}

/** The cross-field issues of a config that did not parse, over the top-level fields that did. */
function crossFieldIssuesOfTheRest(raw: unknown) {
  const input: Record<string, unknown> = isRecord(raw) ? raw : {};
  const parsed: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const [key, field] of Object.entries(configShape.shape)) {
    const one = (field as z.ZodType).safeParse(input[key]);
    if (one.success) parsed[key] = one.data;
    else failed.add(key);
  }
  return crossFieldIssues(parsed as z.output<typeof configShape>, failed);
}

function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    ]);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError([
      `${file}: not valid YAML: ${yamlProblem(error instanceof Error ? error : new Error(String(error)))}`,
    ]);
  }
}

/** A YAML error in one line: what is wrong and where (the library's message ends on a colon). */
function yamlProblem(error: Error & { linePos?: { line: number; col: number }[] }): string {
  const what = (error.message.split("\n")[0] ?? "")
    .replace(/\s+at line \d+, column \d+:?\s*$/, "")
    .replace(/:\s*$/, "");
  const at = error.linePos?.[0];
  return at ? `${what} (line ${at.line}, column ${at.col})` : what;
}

/**
 * `CHECKPOINT_HTTP__PORT=8081` sets `http.port`; `__` separates levels, a number indexes an
 * array (`CHECKPOINT_DEVICES__0__PASSWORD`) (common/config-env.ts).
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  return applyEnv(raw, env, ENV_PREFIX, configSchema);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
}
