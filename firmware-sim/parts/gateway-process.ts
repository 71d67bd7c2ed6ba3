import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "./project-root.js";

export { PROJECT_ROOT };
export const GATEWAY_BIN = join(PROJECT_ROOT, "dist/gateway/main.js");

export interface GatewayProcess {
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
  output: () => string;
}

/**
 * Runs the built gateway (`dist/`, made by `npm test`'s build step) as a separate process
 * with a YAML config, and resolves once it logs that it started.
 */
export function spawnGateway(
  dir: string,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  bin: string = GATEWAY_BIN,
): Promise<GatewayProcess> {
  const file = join(dir, "checkpoint.yaml");
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, [bin, "--config", file], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      for (const line of text.split("\n")) {
        if (!line.includes("started")) continue;
        try {
          const entry = JSON.parse(line) as { http?: number; mqtt?: number };
          if (entry.http && entry.mqtt) {
            resolve({ child, httpPort: entry.http, mqttPort: entry.mqtt, output: () => text });
            return;
          }
        } catch {
          // not a log line
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}:\n${text}`)));
  });
}

export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/**
 * The config of a gateway a test runs as its own process: loopback, free ports, its SQLite file
 * in `dir`, the test admin's password, info logs (spawnGateway reads the "started" line), and
 * the site's checkpoints and devices; `extra` overrides any of it.
 */
export function processConfig(
  dir: string,
  gatewayId: string,
  site: { checkpoints: object[]; devices: object[] },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    gateway_id: gatewayId,
    http: { host: "127.0.0.1", port: 0 },
    mqtt: { host: "127.0.0.1", port: 0 },
    database: { path: join(dir, "checkpoint.db") },
    admin_password: "admin-test-pass",
    log_level: "info",
    ...site,
    ...extra,
  };
}
