import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "../firmware-sim/parts/mosquitto.js";
import { deviceTopic } from "../gateway/mqtt/contract.js";
import { RawDevice, RawKiosk } from "./raw-clients.js";

export const DEVICE_PASSWORD = "bench-device-pass";

export interface Target {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
}

/** Starts a process and waits for the first stdout line that `ready` turns into a value. */
function startProcess<T>(
  args: string[],
  cwd: string,
  ready: (line: string) => T | undefined,
): Promise<{ child: ChildProcess; value: T }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n")) {
        const value = ready(line);
        if (value !== undefined) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          resolve({ child, value });
          return;
        }
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`process exited with ${code}`)));
  });
}

export async function startBareAedes(distDir: string, cwd: string): Promise<Target> {
  const { child, value } = await startProcess(
    [join(distDir, "bench/bare-aedes.js")],
    cwd,
    (line) => {
      try {
        return (JSON.parse(line) as { port?: number }).port;
      } catch {
        return undefined;
      }
    },
  );
  return { child, mqttPort: value, httpPort: 0 };
}

export async function startGateway(distDir: string, dir: string, devices: number): Promise<Target> {
  return spawnGatewayProcess(distDir, dir, (config) => {
    config.devices = Array.from({ length: devices }, (_, i) => ({
      id: `thermo-${i}`,
      kind: "thermometer",
      checkpoint: "gate-1",
      password: DEVICE_PASSWORD,
    }));
  });
}

/** The built gateway in its own process on free ports, with a config `shape` fills in. */
export async function spawnGatewayProcess(
  distDir: string,
  dir: string,
  shape: (config: { devices: Record<string, unknown>[] }) => void,
): Promise<Target> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const config = {
    gateway_id: "gw-bench",
    http: { host: "127.0.0.1", port: httpPort },
    mqtt: { host: "127.0.0.1", port: mqttPort },
    database: { path: join(dir, `bench-${httpPort}.db`) },
    admin_password: "bench-admin-pass",
    log_level: "warn",
    checkpoints: [{ id: "gate-1", name: "Bench gate", mode: "temperature_only" }],
    devices: [] as Record<string, unknown>[],
  };
  shape(config);
  const file = join(dir, `bench-${httpPort}.yaml`);
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, [join(distDir, "gateway/main.js"), "--config", file], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/api/health`)).ok) break;
    } catch {
      if (tries > 200 || child.exitCode !== null) throw new Error("gateway did not start");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, mqttPort, httpPort };
}

/**
 * The bench admin's token. The gateway makes its first admin just after it has started (after
 * its HTTP server answers health), so the first login may come a moment too early: it is tried
 * again a few times, well under the login throttle's five failures.
 */
export async function adminToken(httpPort: number): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const login = await fetch(`http://127.0.0.1:${httpPort}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "bench-admin-pass" }),
    });
    if (login.ok) return ((await login.json()) as { token: string }).token;
    if (attempt === 4) throw new Error(`bench: the admin cannot log in (${login.status})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

let runs = 0;
/** Message ids are unique across runs: the gateway stores a repeated msg_id only once. */
function nextRun(): string {
  runs += 1;
  return `run${runs}`;
}

export async function connectDevices(
  port: number,
  count: number,
  auth: boolean,
): Promise<RawDevice[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      RawDevice.connect(
        port,
        `bench-${i}`,
        deviceTopic(`thermo-${i}`, "temperature"),
        auth ? `thermo-${i}` : undefined,
        auth ? DEVICE_PASSWORD : undefined,
      ),
    ),
  );
}

export function connectKiosks(port: number, count: number): Promise<RawKiosk[]> {
  return Promise.all(Array.from({ length: count }, () => RawKiosk.connect(port, "gate-1")));
}

/**
 * Publishes QoS 1 readings as fast as the broker acknowledges them, keeping `window` in flight
 * per device, for `durationMs`. Returns how many were acknowledged.
 */
export async function saturate(
  devices: RawDevice[],
  window: number,
  durationMs: number,
): Promise<number> {
  const run = nextRun();
  let acked = 0;
  let sequence = 0;
  const deadline = Date.now() + durationMs;
  await Promise.all(
    devices.map(
      (device) =>
        new Promise<void>((resolve) => {
          const pump = () => {
            if (Date.now() >= deadline) {
              if (device.inFlight === 0) resolve();
              return;
            }
            device.cork();
            while (device.inFlight < window) {
              device.publish(`{"temp_c":36.6,"msg_id":"${run}-${sequence++}"}`, onAck);
            }
            device.uncork();
          };
          // Refill once per turn of the event loop, not once per PUBACK.
          let refill = false;
          const onAck = () => {
            acked += 1;
            if (!refill) {
              refill = true;
              setImmediate(() => {
                refill = false;
                pump();
              });
            }
          };
          pump();
        }),
    ),
  );
  return acked;
}

/**
 * Publishes at a fixed rate for `durationMs` (ticks of 1 ms), recording each message's send
 * time so kiosk clients can measure publish -> screen latency.
 */
export async function publishAtRate(
  devices: RawDevice[],
  ratePerS: number,
  durationMs: number,
  sentAt: Map<string, bigint>,
): Promise<number> {
  const run = nextRun();
  let sequence = 0;
  let acked = 0;
  const start = Date.now();
  const onAck = () => {
    acked += 1;
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - start;
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Send what is owed since the start, so timer jitter does not lower the rate.
      const owed = Math.floor((elapsed / 1000) * ratePerS) - sequence;
      for (let i = 0; i < owed; i++) {
        const device = devices[sequence % devices.length] as RawDevice;
        const msgId = `${run}-${sequence++}`;
        sentAt.set(msgId, process.hrtime.bigint());
        device.publish(`{"temp_c":36.6,"msg_id":"${msgId}"}`, onAck);
      }
    }, 1);
  });
  while (devices.some((d) => d.inFlight > 0))
    await new Promise((resolve) => setTimeout(resolve, 5));
  return acked;
}

/** CPU seconds (user, system) of a process, from /proc (Linux). */
export function cpuOf(pid: number): { userS: number; systemS: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticksPerS = 100;
  return { userS: Number(fields[11]) / ticksPerS, systemS: Number(fields[12]) / ticksPerS };
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? Number.NaN) / 1024;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
