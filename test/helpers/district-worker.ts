import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import pg from "pg";
import { DistrictStore } from "../../district/store/store.js";
import {
  startDistrictWorker,
  type WorkerProcess,
} from "../../firmware-sim/parts/district-process.js";
import { type Postgres, startPostgres } from "../../firmware-sim/parts/postgres.js";
import { type Mosquitto, startMosquitto } from "./mosquitto.js";
import { stopProcess } from "./process.js";

export { startDistrictWorker, type WorkerProcess };

/** Puts gateways in the district's registry, as an admin would (docs/fleet.md#the-registry-of-gateways). */
export async function registerGateways(
  databaseUrl: string,
  registrations: { gatewayId: string; siteId: string; siteName?: string; enabled?: boolean }[],
): Promise<void> {
  const store = DistrictStore.connect(databaseUrl);
  try {
    for (const registration of registrations)
      await store.register({ enabled: true, ...registration }, "test");
  } finally {
    await store.close();
  }
}

/**
 * One district as the attack tests need it: a PostgreSQL cluster of the test's own, Debian's
 * Mosquitto with the example ACL and an account per gateway (password `<id>-upstream-pass`), a
 * worker process, and each gateway's own MQTT client (logged in with its account).
 */
export interface DistrictRig {
  dir: string;
  postgres: Postgres;
  broker: Mosquitto;
  db: pg.Pool;
  worker: WorkerProcess;
  clients: Map<string, MqttClient>;
  /** The worker's console port, if its config has one. */
  consolePort(): number;
  /** Starts the worker again (after the test killed it). */
  restartWorker(): Promise<WorkerProcess>;
  count(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export const DISTRICT_CONSUMER = { username: "district-consumer", password: "consumer-pass" };

/**
 * `connections`: the worker's sessions (1: what the broker delivers is stored in its order);
 * `worker`: more of the worker's config (its console, say).
 */
export async function startDistrictRig(
  name: string,
  gatewayAccounts: string[],
  options: { connections?: number; worker?: Record<string, unknown> } = {},
): Promise<DistrictRig> {
  // What is started is stopped, newest first, each whatever the others do; also when a later
  // step of the start fails (a test's beforeAll that throws never reaches its afterAll's close).
  const stops: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
  };
  const dir = mkdtempSync(join(tmpdir(), `cg-${name}-`));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const postgres = await startPostgres(dir);
    stops.push(() => postgres.stop());
    await postgres.createDatabase("district");
    const db = new pg.Pool({ connectionString: postgres.url("district"), max: 2 });
    db.on("error", () => {});
    stops.push(() => db.end());
    const broker = await startMosquitto(dir, {
      ...Object.fromEntries(gatewayAccounts.map((id) => [id, `${id}-upstream-pass`])),
      [DISTRICT_CONSUMER.username]: DISTRICT_CONSUMER.password,
    });
    stops.push(() => broker.stop());
    const start = () =>
      startDistrictWorker(
        dir,
        "w1",
        {
          brokerPort: broker.port,
          consumer: DISTRICT_CONSUMER,
          databaseUrl: postgres.url("district"),
          connections: options.connections ?? 4,
        },
        options.worker,
      );
    const clients = new Map<string, MqttClient>();
    stops.push(() => Promise.all([...clients.values()].map((client) => client.endAsync(true))));
    for (const id of gatewayAccounts)
      clients.set(
        id,
        await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
          username: id,
          password: `${id}-upstream-pass`,
          clientId: `test-${id}`,
        }),
      );
    const rig: DistrictRig = {
      dir,
      postgres,
      broker,
      db,
      worker: await start(),
      clients,
      consolePort: () => rig.worker.httpPort(),
      async restartWorker() {
        if (rig.worker.exitCode === null) await stopProcess(rig.worker, "SIGKILL");
        rig.worker = await start();
        return rig.worker;
      },
      count: async (sql, params = []) =>
        Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0),
      close: stopAll,
    };
    stops.push(() => {
      if (rig.worker.exitCode === null) rig.worker.kill("SIGKILL");
    });
    return rig;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
