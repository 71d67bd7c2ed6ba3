import { join } from "node:path";
import { startMosquitto } from "../firmware-sim/parts/mosquitto.js";
import { Store } from "../gateway/store/store.js";
import { queueUpstream } from "../gateway/upstream/queue.js";
import {
  connectDevices,
  connectKiosks,
  cpuOf,
  DEVICE_PASSWORD,
  saturate,
  spawnGatewayProcess,
  stop,
  type Target,
} from "./harness.js";

/**
 * Backlog drain: an outbox of `events` passages written straight into a gateway's SQLite file,
 * then the gateway started against Debian's Mosquitto with no pacing, timed until the outbox is
 * empty (every row acknowledged by the broker and deleted).
 */
export async function drainRate(
  distDir: string,
  dir: string,
  events: number,
): Promise<{ perS: number; seconds: number } | null> {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  try {
    broker = await startMosquitto(dir, { "gw-bench": "bench-upstream-pass" });
  } catch (error) {
    process.stderr.write(
      `bench: no Mosquitto, upstream figures skipped (${(error as Error).message.split("\n")[0]})\n`,
    );
    return null;
  }
  const dbPath = join(dir, "drain.db");
  const store = Store.open(dbPath, "gw-bench");
  const queue = queueUpstream(store.outbox, false);
  for (let done = 0; done < events; done += 5000) {
    store.writeBatch(() => {
      for (let i = 0; i < 5000 && done + i < events; i++) {
        const event = store.passages.insert({
          ts_ms: Date.now(),
          checkpoint_id: "gate-1",
          pass_id: null,
          holder_name: null,
          reading_id: null,
          scan_id: null,
          temp_c: 36.6,
          decision: "allow",
          reasons: [],
        });
        queue([event], Date.now());
      }
    });
  }
  store.close();
  const start = performance.now();
  const target: Target = await spawnGatewayProcess(distDir, dir, (config) => {
    Object.assign(config, {
      database: { path: dbPath },
      upstream: {
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: "gw-bench",
        password: "bench-upstream-pass",
        backlog_rate_per_s: 10_000_000,
        max_in_flight: 1000,
      },
    });
  });
  for (;;) {
    const health = (await (
      await fetch(`http://127.0.0.1:${target.httpPort}/api/health`)
    ).json()) as { upstream: { queue_depth: number } };
    if (health.upstream.queue_depth === 0) break;
    if (performance.now() - start > 300_000) throw new Error("drain did not finish in 5 minutes");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - start) / 1000;
  await stop(target.child);
  await broker.stop();
  return { perS: events / seconds, seconds };
}

/**
 * The outbox's cost on the ingest path: saturation throughput with every passage and alert
 * also written to the outbox and forwarded to Mosquitto (to compare with the same run without).
 */
export async function saturationWithUpstream(
  distDir: string,
  dir: string,
  durationMs: number,
  devices: number,
  window: number,
  kiosks: number,
): Promise<{ perS: number; cpuUs: number } | null> {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  try {
    broker = await startMosquitto(dir, { "gw-bench": "bench-upstream-pass" });
  } catch {
    return null;
  }
  const target = await spawnGatewayProcess(distDir, dir, (config) => {
    config.devices = Array.from({ length: devices }, (_, i) => ({
      id: `thermo-${i}`,
      kind: "thermometer",
      checkpoint: "gate-1",
      password: DEVICE_PASSWORD,
    }));
    Object.assign(config, {
      upstream: {
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: "gw-bench",
        password: "bench-upstream-pass",
      },
    });
  });
  const screens = await connectKiosks(target.httpPort, kiosks);
  const clients = await connectDevices(target.mqttPort, devices, true);
  await saturate(clients, window, 1000);
  const pid = target.child.pid as number;
  const before = cpuOf(pid);
  const acked = await saturate(clients, window, durationMs);
  const after = cpuOf(pid);
  for (const client of clients) client.close();
  for (const screen of screens) screen.close();
  await stop(target.child);
  await broker.stop();
  return {
    perS: acked / (durationMs / 1000),
    cpuUs: ((after.userS + after.systemS - before.userS - before.systemS) * 1e6) / acked,
  };
}
