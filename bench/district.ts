import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import pg from "pg";
import { WebSocket } from "ws";
import { stringify } from "yaml";
import { DistrictStore, monthOf } from "../district/store/store.js";
import { startMosquitto } from "../firmware-sim/parts/mosquitto.js";
import { startPostgres } from "../firmware-sim/parts/postgres.js";
import { districtQueryTimes } from "./district-queries.js";
import { DEVICE_PASSWORD, percentile, spawnGatewayProcess, stop } from "./harness.js";

/**
 * The district's ingest (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): events/s into PostgreSQL with 1, 2 and 4 workers, from 200
 * simulated gateways publishing passages to Debian Mosquitto at QoS 1, beside the same rows
 * written straight into PostgreSQL in batches of 500 by one process (the bare part).
 */
export interface DistrictFigures {
  events: number;
  byWorkers: { workers: number; perS: number }[];
  barePerS: number;
  /** A fever read at a gateway -> shown on a district console (its WebSocket message), ms. */
  latency: { samples: number; p50: number; p99: number };
  queries: Awaited<ReturnType<typeof districtQueryTimes>> & { rows: number };
}

const GATEWAYS = 200;
const CONSUMER = { username: "district-consumer", password: "consumer-pass" };

function passage(gateway: number, seq: number): { topic: string; payload: string } {
  const id = `gw-${gateway}:${seq}`;
  return {
    topic: `district/site-${gateway}/gw-${gateway}/passage`,
    payload: JSON.stringify({
      id,
      seq,
      ts: new Date(Date.UTC(2026, 11, 1, 8, 0, 0) + seq * 1000).toISOString(),
      checkpoint_id: "gate-1",
      pass_id: null,
      holder_name: null,
      reading_id: `gw-${gateway}:${seq - 1}`,
      scan_id: null,
      temp_c: 36.6,
      decision: "allow",
      reasons: [],
    }),
  };
}

export async function districtFigures(
  dist: string,
  dir: string,
  quick: boolean,
): Promise<DistrictFigures> {
  const perGateway = quick ? 25 : 100;
  const events = GATEWAYS * perGateway;
  const home = join(dir, "district");
  mkdirSync(home, { recursive: true });
  const postgres = await startPostgres(home);
  const broker = await startMosquitto(home, {
    ...Object.fromEntries(
      Array.from({ length: GATEWAYS }, (_, g) => [`gw-${g}`, "bench-upstream-pass"]),
    ),
    [CONSUMER.username]: CONSUMER.password,
  });
  const byWorkers: DistrictFigures["byWorkers"] = [];
  try {
    for (const [round, workers] of [1, 2, 4].entries()) {
      const database = `district_${round}`;
      await postgres.createDatabase(database);
      const children: ChildProcess[] = [];
      for (let w = 0; w < workers; w++)
        children.push(
          (
            await spawnWorker(dist, home, {
              worker_id: `bench-${round}-${w}`,
              broker: {
                url: `mqtt://127.0.0.1:${broker.port}`,
                ...CONSUMER,
                group: `bench${round}`,
                connections: 32,
              },
              database: { url: postgres.url(database) },
            })
          ).child,
        );
      await registerBenchGateways(postgres.url(database), GATEWAYS);
      // Let every session subscribe before the gateways publish.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const pool = new pg.Pool({ connectionString: postgres.url(database), max: 1 });
      const started = performance.now();
      await Promise.all(
        Array.from({ length: GATEWAYS }, async (_, g) => {
          const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
            username: `gw-${g}`,
            password: "bench-upstream-pass",
            clientId: `bench-${round}-gw-${g}`,
          });
          for (let seq = 1; seq <= perGateway; seq++) {
            const { topic, payload } = passage(g, seq);
            await client.publishAsync(topic, payload, { qos: 1 });
          }
          await client.endAsync();
        }),
      );
      for (;;) {
        const n = Number(
          (await pool.query<{ n: string }>("SELECT count(*) AS n FROM passages")).rows[0]?.n,
        );
        if (n >= events) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      byWorkers.push({ workers, perS: events / ((performance.now() - started) / 1000) });
      await pool.end();
      for (const child of children) child.kill("SIGTERM");
    }
    // The bare part: the same rows, one process, plain multi-row INSERTs of 500 into the same
    // tables, with no broker, no transaction of our own and nothing else per batch.
    await postgres.createDatabase("district_bare");
    const store = DistrictStore.connect(postgres.url("district_bare"));
    await store.migrate();
    const rows = Array.from({ length: events }, (_, i) => {
      const g = i % GATEWAYS;
      const seq = Math.floor(i / GATEWAYS) + 1;
      const data = JSON.parse(passage(g, seq).payload) as Record<string, unknown>;
      return [data.id, `gw-${g}`, `site-${g}`, seq, data.ts, "gate-1", "allow", "", 36.6, data];
    });
    const month = monthOf(rows[0]?.[4] as string);
    await store.pool.query(
      `CREATE TABLE passages_${month.name} PARTITION OF passages FOR VALUES FROM ('${month.from}') TO ('${month.to}')`,
    );
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await store.pool.query(
        `INSERT INTO passages (id, gateway_id, site_id, seq, ts, checkpoint_id, decision, reasons, temp_c, data)
         VALUES ${batch.map((_, r) => `(${Array.from({ length: 10 }, (_, c) => `$${r * 10 + c + 1}`).join(",")})`).join(",")}
         ON CONFLICT DO NOTHING`,
        batch.flat(),
      );
    }
    const barePerS = events / ((performance.now() - started) / 1000);
    await store.close();
    const latency = await consoleLatency(dist, home, postgres, broker.port, quick ? 20 : 200);
    const queryRows = quick ? 200_000 : 10_000_000;
    const queries = { rows: queryRows, ...(await districtQueryTimes(postgres, queryRows)) };
    return { events, byWorkers, barePerS, latency, queries };
  } finally {
    await broker.stop();
    postgres.stop();
  }
}

/** Gateways gw-0 ... in the district's registry, each of its own site (site-0 ...). */
async function registerBenchGateways(url: string, gateways: number): Promise<void> {
  const store = DistrictStore.connect(url);
  try {
    for (let g = 0; g < gateways; g++)
      await store.register({ gatewayId: `gw-${g}`, siteId: `site-${g}`, enabled: true }, "bench");
  } finally {
    await store.close();
  }
}

/** A district worker process; resolves once it has started, with its console's port if any. */
async function spawnWorker(
  dist: string,
  home: string,
  config: Record<string, unknown> & { worker_id: string },
): Promise<{ child: ChildProcess; consolePort: number | null }> {
  const file = join(home, `${config.worker_id}.yaml`);
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, [join(dist, "district/main.js"), "--config", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out
        .split("\n")
        .find((l) => l.includes(`district worker ${config.worker_id} started`));
      if (line)
        resolve({ child, consolePort: (JSON.parse(line) as { console: number | null }).console });
    });
    child.once("exit", (code) => reject(new Error(`district worker exited with ${code}: ${out}`)));
  });
}

/**
 * End to end: a thermometer at a gateway reads a fever; the gateway stores it, forwards the alert
 * through Mosquitto; a worker commits it to PostgreSQL, whose NOTIFY makes the console tell its
 * WebSocket clients. Timed from the device's publish to the console's message, one fever at a
 * time (`samples` of them).
 */
async function consoleLatency(
  dist: string,
  home: string,
  postgres: Awaited<ReturnType<typeof startPostgres>>,
  brokerPort: number,
  samples: number,
): Promise<DistrictFigures["latency"]> {
  await postgres.createDatabase("district_latency");
  const worker = await spawnWorker(dist, home, {
    worker_id: "bench-latency",
    broker: { url: `mqtt://127.0.0.1:${brokerPort}`, ...CONSUMER, group: "latency" },
    database: { url: postgres.url("district_latency") },
    console: { port: 0, host: "127.0.0.1", admin_password: "bench-admin-pass" },
  });
  await registerBenchGateways(postgres.url("district_latency"), 1);
  const gateway = await spawnGatewayProcess(dist, home, (config) => {
    Object.assign(config, {
      gateway_id: "gw-0",
      site: { id: "site-0", name: "Bench site", timezone: "Asia/Shanghai" },
      upstream: {
        url: `mqtt://127.0.0.1:${brokerPort}`,
        username: "gw-0",
        password: "bench-upstream-pass",
        topic_prefix: "district",
      },
    });
    config.devices = [
      { id: "thermo-0", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
    ];
  });
  const consoleUrl = `http://127.0.0.1:${worker.consolePort}`;
  const login = await fetch(`${consoleUrl}/district/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "bench-admin-pass" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const live = new WebSocket(`ws://127.0.0.1:${worker.consolePort}/district/live`, {
    headers: { cookie },
  });
  await new Promise((resolve, reject) => {
    live.once("open", resolve);
    live.once("error", reject);
  });
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
    username: "thermo-0",
    password: DEVICE_PASSWORD,
    clientId: "thermo-0",
  });
  const ms: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const shown = new Promise<void>((resolve) => {
        const onMessage = (data: Buffer) => {
          if ((JSON.parse(data.toString()) as { type: string }).type !== "fever") return;
          live.off("message", onMessage);
          resolve();
        };
        live.on("message", onMessage);
      });
      const t0 = performance.now();
      await device.publishAsync(
        "checkpoint/devices/thermo-0/temperature",
        JSON.stringify({ temp_c: 38.5, msg_id: `latency-${i}` }),
        { qos: 1 },
      );
      await shown;
      ms.push(performance.now() - t0);
    }
  } finally {
    await device.endAsync();
    live.close();
    await stop(gateway.child);
    worker.child.kill("SIGTERM");
  }
  return { samples, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}
