import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../common/log.js";
import { validateConfig } from "../../gateway/config/load.js";
import type { GatewayConfig } from "../../gateway/config/schema.js";
import { Gateway, type GatewayOptions } from "../../gateway/gateway.js";

export const ADMIN_PASSWORD = "admin-test-pass";
export const DEVICE_PASSWORD = "device-pass-1";

/** A config for tests: ports 0, a fresh SQLite file in a temp dir, two checkpoints. */
export function testConfig(overrides: Record<string, unknown> = {}): {
  config: GatewayConfig;
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "cg-test-"));
  const config = validateConfig({
    gateway_id: "gw-test",
    http: { host: "127.0.0.1", port: 0 },
    mqtt: { host: "127.0.0.1", port: 0 },
    database: { path: join(dir, "checkpoint.db") },
    admin_password: ADMIN_PASSWORD,
    log_level: "silent",
    checkpoints: [
      { id: "gate-1", name: "North gate / 北门", direction: "both", mode: "temperature_only" },
      { id: "gate-2", name: "South gate / 南门", direction: "in", mode: "temperature_only" },
    ],
    devices: [
      { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      {
        id: "thermo-2",
        kind: "thermometer",
        checkpoint: "gate-2",
        password: DEVICE_PASSWORD,
        offset_c: 0.3,
      },
      { id: "reader-1", kind: "pass_reader", checkpoint: "gate-1", password: DEVICE_PASSWORD },
    ],
    ...overrides,
  });
  return { config, dir };
}

export interface RunningGateway {
  gateway: Gateway;
  config: GatewayConfig;
  dir: string;
  httpUrl: string;
  wsUrl: string;
  mqttUrl: string;
  /** Stops the gateway and deletes its temp dir. */
  close(): Promise<void>;
}

export async function startGateway(
  overrides: Record<string, unknown> = {},
  options: Omit<GatewayOptions, "log"> = {},
): Promise<RunningGateway> {
  const { config, dir } = testConfig(overrides);
  const gateway = new Gateway(config, { log: createLogger("silent"), ...options });
  await gateway.start();
  return {
    gateway,
    config,
    dir,
    httpUrl: `http://127.0.0.1:${gateway.httpPort}`,
    wsUrl: `ws://127.0.0.1:${gateway.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${gateway.mqttPort}`,
    close: async () => {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in over the API and returns the bearer token. */
export async function login(
  httpUrl: string,
  username = "admin",
  password = ADMIN_PASSWORD,
): Promise<string> {
  const response = await fetch(`${httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Polls `check` until it returns a value other than undefined (no fixed sleeps). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The value of one Prometheus sample, by metric name and labels. */
export async function metricValue(
  httpUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.split(" ").at(-1));
  }
  return 0;
}

/** Hands `count` readings from thermo-1 straight to the ingest pipeline, the first `fevers` hot. */
export function submitReadings(gw: RunningGateway, count: number, fevers = 0): void {
  for (let i = 0; i < count; i++)
    gw.gateway.ingest.submitReading(
      {
        device_id: "thermo-1",
        raw_c: i < fevers ? 38.5 : 36.5,
        ambient_c: null,
        ts_ms: Date.now(),
        msg_id: null,
      },
      () => {},
    );
}
