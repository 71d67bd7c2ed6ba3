import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Postgres, startPostgres } from "../../firmware-sim/parts/postgres.js";
import { startDistrictWorker } from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";
import { type Mosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { stopProcess } from "../helpers/process.js";

/**
 * No event can stop a district worker: a gateway's account (the example ACL lets it write only
 * under its own id) sends what no gateway would, each followed by another gateway's real fever,
 * against Debian's Mosquitto, a PostgreSQL cluster of the test's own and a worker process.
 */
const CONSUMER = { username: "district-consumer", password: "consumer-pass" };
let dir: string;
let postgres: Postgres;
let broker: Mosquitto;
let db: pg.Pool;
let worker: ChildProcess | undefined;
let hostile: MqttClient;
let honest: MqttClient;

const startWorker = () =>
  startDistrictWorker(dir, "w1", {
    brokerPort: broker.port,
    consumer: CONSUMER,
    databaseUrl: postgres.url("district"),
    connections: 4,
  });

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

let fevers = 0;
/** gw-b's next real fever; resolves once the district has stored it. */
async function honestFever(): Promise<void> {
  fevers += 1;
  const id = `gw-b:${fevers}`;
  await honest.publishAsync(
    "district/site-b/gw-b/alert",
    JSON.stringify({
      id,
      alert_id: id,
      seq: fevers,
      kind: "fever",
      state: "open",
      checkpoint_id: "gate-1",
      temp_c: 38.6,
      ts: new Date().toISOString(),
      opened_at: new Date().toISOString(),
    }),
    { qos: 1 },
  );
  await eventually(
    async () =>
      (await count("SELECT count(*) AS n FROM alerts WHERE alert_id = $1", [id])) === 1
        ? true
        : undefined,
    15_000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-district-poison-"));
  postgres = await startPostgres(dir);
  await postgres.createDatabase("district");
  db = new pg.Pool({ connectionString: postgres.url("district"), max: 2 });
  db.on("error", () => {});
  broker = await startMosquitto(dir, {
    "gw-a": "gw-a-upstream-pass",
    "gw-b": "gw-b-upstream-pass",
    [CONSUMER.username]: CONSUMER.password,
  });
  worker = await startWorker();
  const connect = (id: string) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: id,
      password: `${id}-upstream-pass`,
      clientId: `test-${id}`,
    });
  hostile = await connect("gw-a");
  honest = await connect("gw-b");
}, 60_000);

afterAll(async () => {
  await hostile?.endAsync(true);
  await honest?.endAsync(true);
  if (worker && worker.exitCode === null) worker.kill("SIGKILL");
  await db?.end();
  await broker?.stop();
  try {
    postgres?.stop();
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
});

const passage = (seq: number, fields: Record<string, unknown>) =>
  JSON.stringify({
    id: `gw-a:${seq}`,
    seq,
    ts: new Date().toISOString(),
    checkpoint_id: "gate-1",
    decision: "allow",
    reasons: [],
    temp_c: 36.5,
    ...fields,
  });
const nextYear = new Date(Date.now() + 366 * 86_400_000).toISOString();

/** What a hostile or broken gateway sends, and the dead letter's reason for each. */
const POISON: [string, string, string, RegExp][] = [
  [
    "a time past JavaScript's (year 275760)",
    "passage",
    passage(1, { ts: "+275760-09-13T00:00:00.000Z" }),
    /outside the window/,
  ],
  [
    "the earliest JavaScript time (year -271821)",
    "passage",
    passage(2, { ts: "-271821-04-20T00:00:00.000Z" }),
    /outside the window/,
  ],
  ["1970", "passage", passage(3, { ts: "1970-01-01T00:00:00.000Z" }), /outside the window/],
  ["next year", "passage", passage(4, { ts: nextYear }), /outside the window/],
  ["a 1 MB field", "passage", passage(5, { note: "x".repeat(1024 * 1024) }), /bytes, over 65536/],
  ["a NUL", "passage", passage(6, { checkpoint_id: "gate\u0000x" }), /holds a NUL/],
  ["wrong types", "passage", passage(7, { temp_c: "hot", decision: 3 }), /temp_c|decision/],
  // Takes the worker's checks but not PostgreSQL's: a real (float4) cannot hold 1e39.
  [
    "a temperature PostgreSQL's real cannot hold",
    "reading",
    JSON.stringify({
      id: "gw-a:8",
      seq: 8,
      ts: new Date().toISOString(),
      checkpoint_id: "gate-1",
      status: "fever",
      temp_c: 1e39,
    }),
    /the district database refused it/,
  ],
  ["garbage", "scan", "\u0001\u0002 not json", /not JSON/],
];

describe("a worker no event can stop", () => {
  it.each(POISON)(
    "keeps %s as a dead letter, alone, and stores the next fever from another gateway",
    async (_, kind, payload, reason) => {
      const before = await count("SELECT count(*) AS n FROM dead_letters");
      await hostile.publishAsync(`district/site-a/gw-a/${kind}`, payload, { qos: 1 });
      await honestFever();
      await eventually(
        async () =>
          (await count("SELECT count(*) AS n FROM dead_letters")) > before ? true : undefined,
        15_000,
      );
      const dead = await db.query<{ gateway_id: string; site_id: string; reason: string }>(
        "SELECT gateway_id, site_id, reason FROM dead_letters ORDER BY id DESC LIMIT 1",
      );
      expect(dead.rows[0]).toMatchObject({ gateway_id: "gw-a", site_id: "site-a" });
      expect(dead.rows[0]?.reason).toMatch(reason);
    },
    40_000,
  );

  it("stores none of them, and a worker started again is not held up by any", async () => {
    expect(await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM readings WHERE gateway_id = 'gw-a'")).toBe(0);
    const deadBefore = await count("SELECT count(*) AS n FROM dead_letters");
    expect(deadBefore).toBe(POISON.length);
    if (worker) await stopProcess(worker, "SIGKILL");
    worker = await startWorker();
    // Every one was acknowledged once kept: nothing comes back to block the new worker.
    await honestFever();
    expect(await count("SELECT count(*) AS n FROM dead_letters")).toBe(deadBefore);
    // Only months inside the window have partitions.
    const partitions = await db.query<{ name: string }>(
      "SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname ~ '^(passages|readings)_'",
    );
    const thisYear = new Date().getUTCFullYear();
    for (const { name } of partitions.rows)
      expect(Number(/_(\d{4})_/.exec(name)?.[1])).toBeGreaterThanOrEqual(thisYear - 1);
  }, 60_000);
});
