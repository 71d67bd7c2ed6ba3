import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import { stringify } from "yaml";
import { deviceTopic } from "../gateway/mqtt/contract.js";

export const DEVICE_PASSWORD = "bench-device-pass";

export interface Target {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
}

/** Starts a process and waits for the first stdout line that `ready` turns into a value. */
function startProcess<T>(args: string[], cwd: string, ready: (line: string) => T | undefined): Promise<{ child: ChildProcess; value: T }> {
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
  const { child, value } = await startProcess([join(distDir, "bench/bare-aedes.js")], cwd, (line) => {
    try {
      return (JSON.parse(line) as { port?: number }).port;
    } catch {
      return undefined;
    }
  });
  return { child, mqttPort: value, httpPort: 0 };
}

export async function startGateway(distDir: string, dir: string, devices: number): Promise<Target> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const config = {
    gateway_id: "gw-bench",
    http: { host: "127.0.0.1", port: httpPort },
    mqtt: { host: "127.0.0.1", port: mqttPort },
    database: { path: join(dir, "bench.db") },
    admin_password: "bench-admin-pass",
    log_level: "warn",
    checkpoints: [{ id: "gate-1", name: "Bench gate", mode: "temperature_only" }],
    devices: Array.from({ length: devices }, (_, i) => ({
      id: `thermo-${i}`,
      kind: "thermometer",
      checkpoint: "gate-1",
      password: DEVICE_PASSWORD,
    })),
  };
  const file = join(dir, "bench.yaml");
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export async function connectDevices(port: number, count: number, auth: boolean): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: `bench-${i}`,
        username: auth ? `thermo-${i}` : undefined,
        password: auth ? DEVICE_PASSWORD : undefined,
        reconnectPeriod: 0,
      }),
    ),
  );
}

/**
 * Publishes QoS 1 readings as fast as the broker acknowledges them, keeping `window` in flight
 * per device, for `durationMs`. Returns how many were acknowledged.
 */
export async function saturate(devices: MqttClient[], window: number, durationMs: number, onSent?: (msgId: string) => void): Promise<number> {
  let acked = 0;
  let sequence = 0;
  const deadline = Date.now() + durationMs;
  await Promise.all(
    devices.map(
      (client, d) =>
        new Promise<void>((resolve) => {
          let inFlight = 0;
          const topic = deviceTopic(`thermo-${d}`, "temperature");
          const pump = () => {
            while (inFlight < window && Date.now() < deadline) {
              inFlight += 1;
              const msgId = `m${sequence++}`;
              onSent?.(msgId);
              client.publish(topic, `{"temp_c":36.6,"msg_id":"${msgId}"}`, { qos: 1 }, () => {
                inFlight -= 1;
                acked += 1;
                if (Date.now() < deadline) pump();
                else if (inFlight === 0) resolve();
              });
            }
            if (inFlight === 0) resolve();
          };
          pump();
        }),
    ),
  );
  return acked;
}

/**
 * Publishes at a fixed rate for `durationMs` (ticks of 5 ms), recording each message's send
 * time so kiosk clients can measure publish -> screen latency.
 */
export async function publishAtRate(devices: MqttClient[], ratePerS: number, durationMs: number, sentAt: Map<string, bigint>): Promise<number> {
  const tickMs = 5;
  let owed = 0;
  let sequence = 0;
  let acked = 0;
  const start = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - start;
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Catch up on whole messages owed since the start, so timer jitter does not lower the rate.
      owed = Math.floor((elapsed / 1000) * ratePerS) - sequence;
      for (let i = 0; i < owed; i++) {
        const d = sequence % devices.length;
        const msgId = `r${sequence++}`;
        sentAt.set(msgId, process.hrtime.bigint());
        devices[d]?.publish(deviceTopic(`thermo-${d}`, "temperature"), `{"temp_c":36.6,"msg_id":"${msgId}"}`, { qos: 1 }, () => {
          acked += 1;
        });
      }
    }, tickMs);
  });
  return acked;
}

/** A kiosk screen's connection; counts readings, and measures latency when asked to. */
export class Kiosk {
  readings = 0;
  latenciesUs: number[] = [];
  measure: Map<string, bigint> | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      if (this.measure) {
        const now = process.hrtime.bigint();
        const message = JSON.parse(data.toString()) as { type: string; data: { msg_id?: string } };
        if (message.type !== "reading") return;
        this.readings += 1;
        const sent = message.data.msg_id ? this.measure.get(message.data.msg_id) : undefined;
        if (sent !== undefined) this.latenciesUs.push(Number(now - sent) / 1000);
        return;
      }
      // Throughput runs count frames without parsing them, so the clients cost little.
      if (data.includes('"type":"reading"')) this.readings += 1;
    });
  }

  static connect(port: number): Promise<Kiosk> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/live?checkpoint=gate-1`, { perMessageDeflate: false });
      ws.once("open", () => resolve(new Kiosk(ws)));
      ws.once("error", reject);
    });
  }

  reset(): void {
    this.readings = 0;
    this.latenciesUs = [];
  }
}

/** CPU seconds and resident memory of the gateway process, from its own /metrics. */
export async function processStats(httpPort: number): Promise<{ cpuS: number; rssBytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? Number.NaN);
  return { cpuS: value("process_cpu_seconds_total"), rssBytes: value("process_resident_memory_bytes") };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
