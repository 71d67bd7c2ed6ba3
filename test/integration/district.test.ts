import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayBounds, localDate } from "../../common/time.js";
import { MIGRATIONS } from "../../district/store/migrations.js";
import { dailyReport, gatewaysOverview, passagesOfDay } from "../../district/store/reports.js";
import { sweepOlderThan } from "../../district/store/retention.js";
import { DistrictStore } from "../../district/store/store.js";
import { type Postgres, startPostgres } from "../../firmware-sim/parts/postgres.js";
import { steady } from "../../firmware-sim/scenarios.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { publishQos1 } from "../helpers/device.js";
import {
  registerGateways,
  startDistrictWorker,
  type WorkerProcess,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";
import { type Mosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { type GatewayProcess, PROJECT_ROOT, stopProcess } from "../helpers/process.js";
import { spawnSiteGateway } from "../helpers/site-gateway.js";

/**
 * The district (docs/fleet.md#the-district-workers-every-gateway-into-postgresql) against the real parts: Debian Mosquitto as the district broker, a
 * PostgreSQL cluster of the test's own, gateway processes forwarding to it, and district worker
 * processes on a shared subscription writing into PostgreSQL.
 */
const GATEWAYS = ["gw-a", "gw-b", "gw-c"];
const CONSUMER = { username: "district-consumer", password: "consumer-pass" };
let dir: string;
let postgres: Postgres;
let broker: Mosquitto;
let db: pg.Pool;
const gateways = new Map<string, GatewayProcess>();
const devices = new Map<string, MqttClient>();
const workers = new Map<string, WorkerProcess>();

async function startWorker(id: string): Promise<WorkerProcess> {
  const child = startDistrictWorker(dir, id, {
    brokerPort: broker.port,
    consumer: CONSUMER,
    databaseUrl: postgres.url("district"),
  });
  workers.set(id, await child);
  return child;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

/** Passages a gateway stored itself (its SQLite file). */
function storedAt(gatewayId: string, table = "passages"): number {
  const file = new Database(join(dir, gatewayId, "checkpoint.db"), { readonly: true });
  try {
    return file.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    file.close();
  }
}

/** Events a gateway has not yet handed to the district broker (its outbox, from its file). */
function outboxDepth(gateway: GatewayProcess): number {
  const id = [...gateways].find(([, running]) => running === gateway)?.[0] ?? "";
  const file = new Database(join(dir, id, "checkpoint.db"), { readonly: true });
  try {
    return file.prepare("SELECT depth FROM outbox_depth WHERE id = 1").pluck().get() as number;
  } finally {
    file.close();
  }
}

async function people(gatewayId: string, n: number, from: number): Promise<void> {
  const thermo = devices.get(gatewayId) as MqttClient;
  for (let i = 0; i < n; i++)
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: (from + i) % 10 === 0 ? 38.4 : 36.6,
      msg_id: `${gatewayId}-${from + i}`,
    });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-district-"));
  postgres = await startPostgres(dir);
  await postgres.createDatabase("district");
  db = new pg.Pool({ connectionString: postgres.url("district"), max: 2 });
  db.on("error", () => {});
  broker = await startMosquitto(dir, {
    ...Object.fromEntries(GATEWAYS.map((id) => [id, `${id}-upstream-pass`])),
    [CONSUMER.username]: CONSUMER.password,
  });
  await startWorker("w1");
  await startWorker("w2");
  await registerGateways(
    postgres.url("district"),
    [...GATEWAYS, "gw-x", "gw-y"].map((id) => ({ gatewayId: id, siteId: `site-${id}` })),
  );
  for (const id of GATEWAYS) {
    const { gateway, thermometer } = await spawnSiteGateway(dir, id, `site-${id}`, {
      brokerPort: broker.port,
      password: `${id}-upstream-pass`,
    });
    gateways.set(id, gateway);
    devices.set(id, thermometer);
  }
}, 60_000);

afterAll(async () => {
  for (const client of devices.values()) await client.endAsync(true);
  for (const gateway of gateways.values()) await stopProcess(gateway.child, "SIGKILL");
  for (const worker of workers.values()) if (worker.exitCode === null) worker.kill("SIGKILL");
  await db?.end();
  await broker?.stop();
  try {
    postgres?.stop();
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("the district: gateways -> Mosquitto -> workers on a shared subscription -> PostgreSQL", () => {
  it("stores every gateway's events once, deduplicated on their ids", async () => {
    await Promise.all(GATEWAYS.map((id) => people(id, 60, 0)));
    await eventually(
      async () => ((await count("SELECT count(*) AS n FROM passages")) === 180 ? true : undefined),
      30_000,
    );
    for (const id of GATEWAYS) {
      expect(await count("SELECT count(*) AS n FROM passages WHERE gateway_id = $1", [id])).toBe(
        storedAt(id),
      );
      expect(
        await count("SELECT count(*) AS n FROM alert_changes WHERE gateway_id = $1", [id]),
      ).toBe(storedAt(id, "alert_events"));
    }
    expect(await count("SELECT count(DISTINCT id) AS n FROM passages")).toBe(180);
    const sites = await db.query(
      "SELECT gateway_id, site_id, online FROM gateways ORDER BY gateway_id",
    );
    expect(sites.rows).toEqual(
      GATEWAYS.map((id) => ({ gateway_id: id, site_id: `site-${id}`, online: true })),
    );
  });

  it("loses nothing the broker delivered when a worker is SIGKILLed mid-stream", async () => {
    const sending = people("gw-a", 300, 1000);
    await eventually(
      async () =>
        (await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a'")) > 100
          ? true
          : undefined,
      20_000,
    );
    workers.get("w1")?.kill("SIGKILL");
    await sending;
    await startWorker("w1");
    await eventually(
      async () =>
        (await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a'")) ===
        storedAt("gw-a")
          ? true
          : undefined,
      30_000,
    );
    expect(storedAt("gw-a")).toBe(360);
    expect(
      await count("SELECT count(DISTINCT id) AS n FROM passages WHERE gateway_id = 'gw-a'"),
    ).toBe(360);
  });

  it("acknowledges nothing while PostgreSQL is down for 30 s, and stores everything after", async () => {
    postgres.stop();
    await people("gw-b", 50, 2000);
    // The gateways hand their events to the broker; the workers cannot commit them, so they do not
    // acknowledge: the broker keeps them. Thirty seconds later PostgreSQL is back.
    const worker = workers.get("w2") as WorkerProcess;
    await eventually(
      () => (worker.output().includes("nothing is acknowledged until it does") ? true : undefined),
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    // Both workers die while the database is still down. Whatever a worker had acknowledged
    // would now be gone (the broker forgets what is acknowledged; the worker's memory is lost),
    // so every event being stored below shows that nothing was acknowledged during the outage.
    const gwB = gateways.get("gw-b") as GatewayProcess;
    await eventually(() => (outboxDepth(gwB) === 0 ? true : undefined), 20_000);
    for (const id of ["w1", "w2"]) await stopProcess(workers.get(id) as ChildProcess, "SIGKILL");
    postgres.start();
    await Promise.all([startWorker("w1"), startWorker("w2")]);
    await eventually(
      async () =>
        (await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-b'").catch(
          () => 0,
        )) === 110
          ? true
          : undefined,
      30_000,
    );
    expect(storedAt("gw-b")).toBe(110);
  }, 120_000);

  it("shows a gateway offline from its last will", async () => {
    await stopProcess((gateways.get("gw-c") as GatewayProcess).child, "SIGKILL");
    await eventually(
      async () =>
        (await db.query("SELECT online FROM gateways WHERE gateway_id = 'gw-c'")).rows[0]
          ?.online === false
          ? true
          : undefined,
      30_000,
    );
  });

  it("keeps an alert's state from its newest change, whatever order the changes arrive in", async () => {
    const store = DistrictStore.connect(postgres.url("district"));
    const change = (seq: number, state: string) => ({
      kind: "alert" as const,
      siteId: "site-gw-x",
      gatewayId: "gw-x",
      id: `gw-x:${seq}`,
      seq,
      ts: new Date(Date.UTC(2026, 11, 1, 8, 0, seq)).toISOString(),
      data: {
        id: `gw-x:${seq}`,
        alert_id: "gw-x:10",
        kind: "fever",
        state,
        checkpoint_id: "gate-1",
        temp_c: 38.4,
        opened_at: "2026-12-01T08:00:10Z",
      },
    });
    try {
      await store.commit([change(12, "resolved")]);
      await store.commit([change(10, "open"), change(11, "acknowledged")]);
      await store.commit([change(11, "acknowledged")]);
    } finally {
      await store.close();
    }
    const alert = await db.query("SELECT state, last_seq FROM alerts WHERE alert_id = 'gw-x:10'");
    expect(alert.rows).toEqual([{ state: "resolved", last_seq: "12" }]);
    expect(await count("SELECT count(*) AS n FROM alert_changes WHERE alert_id = 'gw-x:10'")).toBe(
      3,
    );
  });
  it("keeps a gateway offline when its will overtakes its last status, and online once it is back", async () => {
    const store = DistrictStore.connect(postgres.url("district"));
    // Two workers, or two sessions of one, can commit a gateway's statuses in either order.
    const status = (online: boolean, connection: number, n: number | null, depth?: number) => ({
      kind: "status" as const,
      siteId: "site-gw-y",
      gatewayId: "gw-y",
      online,
      queueDepth: depth ?? null,
      queueAgeS: depth === undefined ? null : 0,
      order: { connection, n },
    });
    const state = async () =>
      (await db.query("SELECT online, queue_depth FROM gateways WHERE gateway_id = 'gw-y'"))
        .rows[0];
    const seen: unknown[] = [];
    try {
      await store.commit([status(true, 100, 0)]);
      await store.commit([status(false, 100, null)]);
      await store.commit([status(true, 100, 1, 7)]);
      seen.push(await state());
      // It reconnects; its old will arrives again in the same batch, after the new status.
      await store.commit([
        status(true, 101, 2, 5),
        status(false, 100, null),
        status(true, 101, 1, 9),
      ]);
      seen.push(await state());
    } finally {
      await store.close();
    }
    expect(seen).toEqual([
      { online: false, queue_depth: null },
      { online: true, queue_depth: 5 },
    ]);
  });

  it("upgrades a district from before the registry: its gateways registered, forgeries undone", async () => {
    await postgres.createDatabase("district_upgrade");
    const old = new pg.Pool({ connectionString: postgres.url("district_upgrade"), max: 1 });
    try {
      // A district at migration 6, where gw-a had resolved gw-b's fever by naming it.
      await old.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY)");
      for (const [i, sql] of MIGRATIONS.slice(0, 6).entries()) {
        await old.query(sql);
        await old.query("INSERT INTO schema_migrations (version) VALUES ($1)", [i + 1]);
      }
      await old.query(
        `INSERT INTO gateways (gateway_id, site_id, online) VALUES ('gw-a', 'site-a', true), ('gw-b', 'site-b', true);
         INSERT INTO alert_changes (id, alert_id, gateway_id, site_id, seq, data) VALUES
           ('gw-b:5', 'gw-b:5', 'gw-b', 'site-b', 5, '{"state": "open", "kind": "fever"}'),
           ('gw-a:999999', 'gw-b:5', 'gw-a', 'site-a', 999999, '{"state": "resolved", "kind": "fever"}'),
           ('gw-a:999998', 'gw-b:77', 'gw-a', 'site-a', 999998, '{"state": "resolved", "kind": "fever"}');
         INSERT INTO alerts (alert_id, gateway_id, site_id, kind, state, last_seq, data) VALUES
           ('gw-b:5', 'gw-b', 'site-b', 'fever', 'resolved', 999999, '{"state": "resolved"}'),
           ('gw-b:77', 'gw-a', 'site-a', 'fever', 'resolved', 999998, '{"state": "resolved"}');`,
      );
      const store = DistrictStore.connect(postgres.url("district_upgrade"));
      await store.migrate().finally(() => store.close());
      const rows = async (sql: string) => (await old.query(sql)).rows;
      expect(await rows("SELECT gateway_id, site_id, enabled FROM registry ORDER BY 1")).toEqual([
        { gateway_id: "gw-a", site_id: "site-a", enabled: true },
        { gateway_id: "gw-b", site_id: "site-b", enabled: true },
      ]);
      expect(await rows("SELECT alert_id, gateway_id, state, last_seq FROM alerts")).toEqual([
        { alert_id: "gw-b:5", gateway_id: "gw-b", state: "open", last_seq: "5" },
      ]);
      expect(await rows("SELECT id FROM alert_changes")).toEqual([{ id: "gw-b:5" }]);
      expect(await rows("SELECT gateway_id FROM dead_letters")).toEqual([
        { gateway_id: "gw-a" },
        { gateway_id: "gw-a" },
        { gateway_id: "gw-a" },
      ]);
    } finally {
      await old.end();
    }
  });

  it("gives a seeded day's report per site exactly as the site's gateway stored it", async () => {
    const zone = "Asia/Shanghai";
    // Device times well inside one local day (and within the gateway's clock-skew bound).
    let base = Date.now() - 60_000;
    if (localDate(base - 600_000, zone) !== localDate(base + 600_000, zone)) base -= 1_200_000;
    const date = localDate(base, zone);
    const before = await dailyReport(db, date, zone);
    const crowd = [
      ...steady({
        seed: 20261201,
        thermometers: ["thermo-1"],
        ratePerMin: 600,
        feverShare: 0.15,
        people: 150,
      }),
    ].filter((action) => action.kind === "temperature");
    const thermo = devices.get("gw-b") as MqttClient;
    for (const [i, person] of crowd.entries())
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
        temp_c: person.tempC,
        ts: base + person.atMs,
        msg_id: `report-${i}`,
      });
    const siteOf = (report: Awaited<ReturnType<typeof dailyReport>>) =>
      report.sites.find((s) => s.site_id === "site-gw-b") ?? {
        passages: 0,
        allowed: 0,
        denied: 0,
        fevers: 0,
      };
    const after = await eventually(async () => {
      const report = await dailyReport(db, date, zone);
      return siteOf(report).passages === siteOf(before).passages + crowd.length
        ? report
        : undefined;
    }, 30_000);
    // What the scenario sent: every person one passage, a fever (above 37.3 °C) refused.
    const fevers = crowd.filter((person) => person.tempC > 37.3).length;
    expect(fevers).toBeGreaterThan(0);
    expect(siteOf(after).fevers - siteOf(before).fevers).toBe(fevers);
    expect(siteOf(after).denied - siteOf(before).denied).toBe(fevers);
    expect(siteOf(after).allowed - siteOf(before).allowed).toBe(crowd.length - fevers);
    // The site's numbers are the gateway's own, counted in its SQLite file over the same day.
    const [start, end] = dayBounds(date, zone);
    const file = new Database(join(dir, "gw-b", "checkpoint.db"), { readonly: true });
    try {
      const own = file
        .prepare(
          `SELECT count(*) AS passages,
                  count(*) FILTER (WHERE decision = 'allow') AS allowed,
                  count(*) FILTER (WHERE decision = 'deny') AS denied,
                  count(*) FILTER (WHERE ',' || reasons || ',' LIKE '%,fever,%') AS fevers
           FROM passages WHERE ts_ms >= ? AND ts_ms < ?`,
        )
        .get(start, end);
      expect(siteOf(after)).toEqual({
        site_id: "site-gw-b",
        site_name: "site-gw-b",
        ...(own as object),
      });
    } finally {
      file.close();
    }
    const sum = (key: "passages" | "allowed" | "denied" | "fevers") =>
      after.sites.reduce((total, site) => total + site[key], 0);
    expect(after.total).toEqual({
      passages: sum("passages"),
      allowed: sum("allowed"),
      denied: sum("denied"),
      fevers: sum("fevers"),
    });
  }, 60_000);
  it("shows each gateway's backlog from its status, and its devices' alerts under it", async () => {
    // A connected gateway tells its outbox in its status (empty here: everything went out).
    const backlog = await eventually(async () => {
      const gateway = (await gatewaysOverview(db)).find((g) => g.gateway_id === "gw-a");
      return gateway?.queue_depth === null || gateway === undefined ? undefined : gateway;
    }, 20_000);
    expect(backlog).toMatchObject({ queue_depth: 0, queue_age_s: null, online: true });
    // gw-b's thermometer drops off: its device_offline alert is counted under gw-b.
    const before = (await gatewaysOverview(db)).find((g) => g.gateway_id === "gw-b");
    expect(before?.open_equipment).toBe(0);
    await (devices.get("gw-b") as MqttClient).endAsync(true);
    const after = await eventually(async () => {
      const gateway = (await gatewaysOverview(db)).find((g) => g.gateway_id === "gw-b");
      return gateway?.open_equipment === 1 ? gateway : undefined;
    }, 20_000);
    expect(after).toMatchObject({ online: true, open_fevers: before?.open_fevers });
  });
  it("pages a day's passages for the export: each once, in time order, never more than a page held", async () => {
    const zone = "Asia/Shanghai";
    const date = localDate(Date.now() - 60_000, zone);
    const [start, end] = dayBounds(date, zone);
    const expected = await count("SELECT count(*) AS n FROM passages WHERE ts >= $1 AND ts < $2", [
      new Date(start),
      new Date(end),
    ]);
    expect(expected).toBeGreaterThan(20);
    const pages: { id: string; ts: Date }[][] = [];
    for await (const page of passagesOfDay(db, date, zone, null, 7)) pages.push(page);
    expect(pages.every((page) => page.length > 0 && page.length <= 7)).toBe(true);
    const rows = pages.flat();
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r.id)).size).toBe(expected);
    // In time order (ties are ordered by id in PostgreSQL's collation, which the pages follow).
    const times = rows.map((r) => r.ts.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
  it("keeps an event it cannot store as a dead letter, alone, and goes on with the rest of its batch", async () => {
    // (Seqs from 900,000: the retiring test below compares gw-a's own passages, below them.)
    // A gateway's account sends what no gateway would: a NUL in a text field (PostgreSQL's text
    // and jsonb refuse it), between two good passages.
    const sender = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: "gw-a",
      password: "gw-a-upstream-pass",
      clientId: "test-gw-a-poison",
    });
    const passage = (seq: number, checkpoint: string) =>
      sender.publishAsync(
        "district/site-gw-a/gw-a/passage",
        JSON.stringify({
          id: `gw-a:${seq}`,
          seq,
          ts: new Date().toISOString(),
          checkpoint_id: checkpoint,
          decision: "allow",
          reasons: [],
          temp_c: 36.5,
        }),
        { qos: 1 },
      );
    await Promise.all([
      passage(900001, "gate-1"),
      passage(900002, "gate\u0000x"),
      passage(900003, "gate-1"),
    ]);
    await sender.endAsync();
    const ids = "('gw-a:900001', 'gw-a:900002', 'gw-a:900003')";
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM passages WHERE id IN ${ids}`)) === 2
          ? true
          : undefined,
      20_000,
    );
    // The refusal is kept with why, under its gateway; only the good two are stored.
    await eventually(async () =>
      (await count(
        "SELECT count(*) AS n FROM dead_letters WHERE gateway_id = 'gw-a' AND reason LIKE '%checkpoint_id holds a NUL%' AND payload LIKE '%gw-a:900002%'",
      )) === 1
        ? true
        : undefined,
    );
    expect(await count("SELECT count(*) AS n FROM passages WHERE id = 'gw-a:900002'")).toBe(0);
  });

  // Last: it retires w2.
  it("retires a worker for good: what the broker kept for its sessions is stored, once", async () => {
    const w2 = workers.get("w2") as ChildProcess;
    await new Promise((resolve) => {
      w2.once("exit", resolve);
      w2.kill("SIGTERM");
    });
    // w2's sessions are kept while it is away: the broker goes on giving them their share.
    await people("gw-a", 40, 5000);
    const gatewayUrl = `http://127.0.0.1:${(gateways.get("gw-a") as GatewayProcess).httpPort}`;
    await eventually(async () => {
      const health = (await (await fetch(`${gatewayUrl}/api/health`)).json()) as {
        upstream: { queue_depth: number };
      };
      return health.upstream.queue_depth === 0 ? true : undefined;
    }, 20_000);
    const retiring = spawn(
      process.execPath,
      [join(PROJECT_ROOT, "dist/district/main.js"), "--config", join(dir, "w2.yaml"), "--retire"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    retiring.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    retiring.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise((resolve) => retiring.once("exit", resolve));
    expect(code, output).toBe(0);
    const taken = Number(/"taken":(\d+)/.exec(output)?.[1]);
    expect(taken).toBeGreaterThan(0);
    await eventually(
      async () =>
        (await count(
          "SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a' AND seq < 900000",
        )) === storedAt("gw-a")
          ? true
          : undefined,
      20_000,
    );
    expect(
      await count(
        "SELECT count(DISTINCT id) AS n FROM passages WHERE gateway_id = 'gw-a' AND seq < 900000",
      ),
    ).toBe(storedAt("gw-a"));
  });

  it("deletes what can name a person after retention_days; keeps open alerts and the summaries", async () => {
    const store = DistrictStore.connect(postgres.url("district"));
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const row = (kind: "passage" | "alert" | "summary", seq: number, ts: string, data = {}) => ({
      kind,
      siteId: "site-gw-y",
      gatewayId: "gw-y",
      id: `gw-y:${seq}`,
      seq,
      ts: kind === "summary" ? null : ts,
      data: { id: `gw-y:${seq}`, ts, ...data },
    });
    const passage = (seq: number, ts: string) =>
      row("passage", seq, ts, { decision: "allow", pass_id: "0012345678", checkpoint_id: "g1" });
    const alert = (seq: number, alertSeq: number, state: string, ts: string) =>
      row("alert", seq, ts, { alert_id: `gw-y:${alertSeq}`, kind: "fever", state, opened_at: ts });
    try {
      await store.commit([
        passage(3001, daysAgo(40)),
        passage(3002, daysAgo(1)),
        alert(3003, 3003, "open", daysAgo(40)),
        alert(3004, 3004, "open", daysAgo(40)),
        alert(3005, 3004, "resolved", daysAgo(40)),
        alert(3006, 3006, "open", daysAgo(1)),
        alert(3007, 3006, "resolved", daysAgo(1)),
        row("summary", 3008, daysAgo(40), { date: daysAgo(40).slice(0, 10), checkpoints: [] }),
      ]);
      const counts = await sweepOlderThan(store.pool, Date.now() - 28 * 86_400_000);
      expect(counts).toMatchObject({ passages: 1, alerts: 1, alert_changes: 2 });
    } finally {
      await store.close();
    }
    const ids = async (sql: string) =>
      (await db.query<{ id: string }>(sql)).rows.map((r) => r.id).sort();
    expect(await ids("SELECT id FROM passages WHERE gateway_id = 'gw-y' AND seq > 3000")).toEqual([
      "gw-y:3002",
    ]);
    expect(
      await ids("SELECT alert_id AS id FROM alerts WHERE gateway_id = 'gw-y' AND last_seq > 3000"),
    ).toEqual(["gw-y:3003", "gw-y:3006"]);
    expect(
      await ids("SELECT id FROM alert_changes WHERE gateway_id = 'gw-y' AND seq > 3000"),
    ).toEqual(["gw-y:3003", "gw-y:3006", "gw-y:3007"]);
    expect(await ids("SELECT id FROM summaries WHERE gateway_id = 'gw-y'")).toContain("gw-y:3008");
  });
});
