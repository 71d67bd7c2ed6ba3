import type { GatewayConfig } from "./schema.js";

/**
 * What a config reload (SIGHUP or `POST /api/config/reload`) changes, and which of it takes
 * effect at once. Pure, so every kind of change is tested without a gateway.
 */

/**
 * The paths of every changed value: `screening.fever_above_c`, `checkpoints[gate-1].name`;
 * an entry of a list with ids added or removed is `devices[thermo-9]`. Paths only, never values,
 * so they can go to the log and the audit without leaking a password.
 */
export function configChanges(before: unknown, after: unknown, path = ""): string[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after) && hasIds(before) && hasIds(after)) {
    const old = new Map(before.map((item) => [item.id, item]));
    const now = new Map(after.map((item) => [item.id, item]));
    const ids = [...new Set([...old.keys(), ...now.keys()])];
    return ids.flatMap((id) =>
      old.has(id) && now.has(id)
        ? configChanges(old.get(id), now.get(id), `${path}[${id}]`)
        : [`${path}[${id}]`],
    );
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      configChanges(before[key], after[key], path === "" ? key : `${path}.${key}`),
    );
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
}

/**
 * The settings a running gateway takes on at once: the screening rules (site and per
 * checkpoint) and how long personal data is kept. Everything else (ports, devices, checkpoints
 * added or removed, upstream, the log level of loggers already made) needs a restart, and says so.
 */
export function isLiveSetting(path: string): boolean {
  return (
    path === "retention_days" ||
    path === "screening" ||
    path.startsWith("screening.") ||
    /^checkpoints\[[^\]]+\]\.screening(\.|$)/.test(path)
  );
}

const SECRET_KEYS = new Set(["password", "admin_password"]);

/** The config as an admin may see it (docs/contract.md#http-api "config view"): every password replaced. */
export function redactSecrets(config: GatewayConfig): unknown {
  const redact = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(redact);
    if (!isPlainObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEYS.has(key) && inner !== undefined ? "***" : redact(inner),
      ]),
    );
  };
  return redact(config);
}

function hasIds(list: unknown[]): list is { id: string }[] {
  return list.every((item) => isPlainObject(item) && typeof item.id === "string");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
