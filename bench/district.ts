import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import pg from "pg";
import { stringify } from "yaml";
import { DistrictStore } from "../district/store.js";
import { startPostgres } from "../firmware-sim/parts/postgres.js";
import { startMosquitto } from "../test/helpers/mosquitto.js";

/**
 * The district's ingest (SPEC 11): events/s into PostgreSQL with 1, 2 and 4 workers, from 200
 * simulated gateways publishing passages to Debian Mosquitto at QoS 1, beside the same rows
 * written straight into PostgreSQL in batches of 500 by one process (the bare part).
 */
export interface DistrictFigures {
  events: number;
  byWorkers: { workers: number; perS: number }[];
  barePerS: number;
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
      for (let w = 0; w < workers; w++) {
        const file = join(home, `w${round}-${w}.yaml`);
        writeFileSync(
          file,
          stringify({
            worker_id: `bench-${round}-${w}`,
            broker: {
              url: `mqtt://127.0.0.1:${broker.port}`,
              ...CONSUMER,
              group: `bench${round}`,
              connections: 32,
            },
            database: { url: postgres.url(database) },
          }),
        );
        const child = spawn(process.execPath, [join(dist, "district/main.js"), "--config", file], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        await new Promise<void>((resolve) => {
          let out = "";
          child.stdout?.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("started")) resolve();
          });
        });
        children.push(child);
      }
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
    // The bare part: the same rows, one process, batches of 500, straight into PostgreSQL.
    await postgres.createDatabase("district_bare");
    const store = DistrictStore.connect(postgres.url("district_bare"));
    await store.migrate();
    const rows = Array.from({ length: events }, (_, i) => {
      const g = i % GATEWAYS;
      const seq = Math.floor(i / GATEWAYS) + 1;
      const { payload } = passage(g, seq);
      const data = JSON.parse(payload) as Record<string, unknown>;
      return {
        kind: "passage" as const,
        siteId: `site-${g}`,
        gatewayId: `gw-${g}`,
        id: data.id as string,
        seq,
        ts: data.ts as string,
        data,
      };
    });
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 500) await store.commit(rows.slice(i, i + 500));
    const barePerS = events / ((performance.now() - started) / 1000);
    await store.close();
    return { events, byWorkers, barePerS };
  } finally {
    await broker.stop();
    postgres.stop();
  }
}
