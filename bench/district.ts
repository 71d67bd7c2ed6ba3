import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import pg from "pg";
import { WebSocket } from "ws";
import { stringify } from "yaml";
import { DistrictStore, monthOf } from "../district/store/store.js";
import { startMosquitto } from "../firmware-sim/parts/mosquitto.js";
import { type Postgres, startPostgres } from "../firmware-sim/parts/postgres.js";
import { FORGERIES, HOSTILE_ID, HOSTILE_PASSWORD } from "../soak/district.js";
import { districtQueryTimes } from "./district-queries.js";
import { DEVICE_PASSWORD, percentile, spawnGatewayProcess, stop } from "./harness.js";

/**
 * The district's ingest (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): events/s into PostgreSQL with 1, 2 and 4 workers, from 200
 * simulated gateways publishing passages to Debian Mosquitto at QoS 1, beside the same rows
 * written straight into PostgreSQL in batches of 500 by one process (the bare part).
 */
export interface DistrictFigures {
  events: number;
  /** Clean: honest passages only. Hostile: the same, while one account sends 10% forgeries. */
  byWorkers: { workers: number; perS: number; hostile: IngestRate }[];
  barePerS: number;
  /** A poison event's arrival (its PUBACK) -> the next good event committed (its NOTIFY), ms. */
  poison: { samples: number; p50: number; p99: number };
  /** A fever read at a gateway -> shown on a district console (its WebSocket message), ms. */
  latency: { samples: number; p50: number; p99: number };
  queries: Awaited<ReturnType<typeof districtQueryTimes>> & { rows: number };
}

const GATEWAYS = 200;
const CONSUMER = { username: "district-consumer", password: "consumer-pass" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface IngestRate {
  /** Everything published (passages and forgeries) per second. */
  perS: number;
  /** The honest passages alone per second. */
  goodPerS: number;
  forgeries: number;
}

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
    [HOSTILE_ID]: HOSTILE_PASSWORD,
  });
  const byWorkers: DistrictFigures["byWorkers"] = [];
  try {
    for (const [round, workers] of [1, 2, 4].entries()) {
      const clean = await ingestRate(dist, home, postgres, broker.port, {
        name: `${round}_clean`,
        workers,
        perGateway,
        forgeries: 0,
      });
      // One in ten of everything published is a forgery or garbage from one hostile account.
      const hostile = await ingestRate(dist, home, postgres, broker.port, {
        name: `${round}_hostile`,
        workers,
        perGateway,
        forgeries: Math.round(events / 9),
      });
      byWorkers.push({ workers, perS: clean.perS, hostile });
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
    const poison = await poisonLatency(dist, home, postgres, broker.port, quick ? 22 : 220);
    const latency = await consoleLatency(dist, home, postgres, broker.port, quick ? 20 : 200);
    const queryRows = quick ? 200_000 : 10_000_000;
    const queries = { rows: queryRows, ...(await districtQueryTimes(postgres, queryRows)) };
    return { events, byWorkers, barePerS, poison, latency, queries };
  } finally {
    await broker.stop();
    postgres.stop();
  }
}

/**
 * `events` passages from 200 gateways at once and, beside them, `forgeries` from the hostile
 * account (every kind of soak/district.ts FORGERIES in turn), into a database of their own: the
 * time until every passage is stored and every forgery is a dead letter.
 */
async function ingestRate(
  dist: string,
  home: string,
  postgres: Postgres,
  brokerPort: number,
  run: { name: string; workers: number; perGateway: number; forgeries: number },
): Promise<IngestRate> {
  const events = GATEWAYS * run.perGateway;
  const database = `district_${run.name}`;
  await postgres.createDatabase(database);
  const children: ChildProcess[] = [];
  for (let w = 0; w < run.workers; w++)
    children.push(
      (
        await spawnWorker(dist, home, {
          worker_id: `bench-${run.name}-${w}`,
          broker: {
            url: `mqtt://127.0.0.1:${brokerPort}`,
            ...CONSUMER,
            group: `bench${run.name}`,
            connections: 32,
          },
          database: { url: postgres.url(database) },
        })
      ).child,
    );
  await registerBenchGateways(postgres.url(database), GATEWAYS);
  // Let every session subscribe before the gateways publish.
  await sleep(500);
  const pool = new pg.Pool({ connectionString: postgres.url(database), max: 1 });
  const count = async (table: string) =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  const started = performance.now();
  const honest = Array.from({ length: GATEWAYS }, async (_, g) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      username: `gw-${g}`,
      password: "bench-upstream-pass",
      clientId: `bench-${run.name}-gw-${g}`,
    });
    for (let seq = 1; seq <= run.perGateway; seq++) {
      const { topic, payload } = passage(g, seq);
      await client.publishAsync(topic, payload, { qos: 1 });
    }
    await client.endAsync();
  });
  await Promise.all([...honest, publishForgeries(brokerPort, run.name, run.forgeries)]);
  while ((await count("passages")) < events || (await count("dead_letters")) < run.forgeries)
    await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  for (const child of children) child.kill("SIGTERM");
  return {
    perS: (events + run.forgeries) / seconds,
    goodPerS: events / seconds,
    forgeries: run.forgeries,
  };
}

const FORGERY_KINDS = Object.keys(FORGERIES);

/** Forgery `n` of the hostile account: each kind in turn, against gw-0. */
function forgery(n: number): { topic: string; payload: string } {
  const forge = FORGERIES[FORGERY_KINDS[n % FORGERY_KINDS.length] as string];
  if (!forge) throw new Error("no forgeries");
  return forge(`${HOSTILE_ID}:${900_000_000 + n}`, {
    gatewayId: "gw-0",
    siteId: "site-0",
    seq: 1 + (n % 50),
  });
}

async function publishForgeries(brokerPort: number, run: string, count: number): Promise<void> {
  if (count === 0) return;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
    username: HOSTILE_ID,
    password: HOSTILE_PASSWORD,
    clientId: `bench-${run}-${HOSTILE_ID}`,
  });
  for (let n = 0; n < count; n++) {
    const { topic, payload } = forgery(n);
    await client.publishAsync(topic, payload, { qos: 1 });
  }
  await client.endAsync();
}

/**
 * How long a poison event holds up the good ones: the hostile account publishes a forgery (each
 * kind in turn) and, once the broker has it (PUBACK), gw-0 publishes a real fever; timed until
 * the fever's commit is announced (PostgreSQL NOTIFY `district_alert`), one pair at a time, with
 * one worker (nothing else to take the good event while the poison is handled).
 */
async function poisonLatency(
  dist: string,
  home: string,
  postgres: Postgres,
  brokerPort: number,
  samples: number,
): Promise<DistrictFigures["poison"]> {
  await postgres.createDatabase("district_poison");
  const url = postgres.url("district_poison");
  const worker = await spawnWorker(dist, home, {
    worker_id: "bench-poison",
    broker: { url: `mqtt://127.0.0.1:${brokerPort}`, ...CONSUMER, group: "poison" },
    database: { url },
  });
  await registerBenchGateways(url, 1);
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  await listener.query("LISTEN district_alert");
  const connect = (username: string, password: string) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      username,
      password,
      clientId: `bench-poison-${username}`,
    });
  const hostile = await connect(HOSTILE_ID, HOSTILE_PASSWORD);
  const honest = await connect("gw-0", "bench-upstream-pass");
  await sleep(500);
  const ms: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const id = `gw-0:${i + 1}`;
      const stored = new Promise<void>((resolve) => {
        const onNotification = (message: pg.Notification) => {
          if (message.payload !== id) return;
          listener.off("notification", onNotification);
          resolve();
        };
        listener.on("notification", onNotification);
      });
      const poison = forgery(i);
      await hostile.publishAsync(poison.topic, poison.payload, { qos: 1 });
      const t0 = performance.now();
      const ts = new Date().toISOString();
      await honest.publishAsync(
        "district/site-0/gw-0/alert",
        JSON.stringify({
          id,
          alert_id: id,
          seq: i + 1,
          kind: "fever",
          state: "open",
          checkpoint_id: "gate-1",
          temp_c: 38.6,
          ts,
          opened_at: ts,
        }),
        { qos: 1 },
      );
      await stored;
      ms.push(performance.now() - t0);
    }
  } finally {
    await hostile.endAsync();
    await honest.endAsync();
    await listener.end();
    worker.child.kill("SIGTERM");
  }
  return { samples, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** Gateways gw-0 ... in the district's registry, each of its own site (site-0 ...), and the
 * hostile account's gateway, registered at a site of its own (as a stolen account would be). */
async function registerBenchGateways(url: string, gateways: number): Promise<void> {
  const store = DistrictStore.connect(url);
  try {
    await store.register({ gatewayId: HOSTILE_ID, siteId: "site-hostile", enabled: true }, "bench");
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
  postgres: Postgres,
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
