import { mkdirSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { dayBounds, localDate } from "../common/time.js";
import { siteCounts } from "../district/store/reports.js";
import { DistrictStore } from "../district/store/store.js";
import { startDistrictWorker, type WorkerProcess } from "../firmware-sim/parts/district-process.js";
import { stopProcess } from "../firmware-sim/parts/gateway-process.js";
import { type Postgres, startPostgres } from "../firmware-sim/parts/postgres.js";
import { Random } from "../firmware-sim/random.js";
import type { DayCounts, DistrictRecording } from "./checker.js";

/**
 * The district side of a soak (docs/fleet.md#the-district-workers-every-gateway-into-postgresql):
 * a PostgreSQL cluster of its own and two district workers on the shared subscription of the
 * soak's Mosquitto, taking in what the soak's gateway forwards, while a hostile gateway account
 * publishes forgeries all through the run (another gateway's alert ids and site, extreme times,
 * an oversized payload, a NUL, wrong types, garbage) beside honest events of its own, and the
 * seeded schedule restarts PostgreSQL and SIGKILLs a worker (started again, as systemd would),
 * and a dashboard polls the district's API on one of the workers.
 * What it saw goes to the checker (soak/checker.ts, the district's invariants).
 */

export const HOSTILE_ID = "gw-hostile";
export const HOSTILE_PASSWORD = "hostile-upstream-pass";
export const DISTRICT_CONSUMER = { username: "district-consumer", password: "consumer-pass" };
const HOSTILE_SITE = "site-hostile";
/** The worker that also serves the console and the API, and the dashboard's account there. */
const API_WORKER = "w1";
const DASHBOARD_PASSWORD = "soak-dashboard-pass";
/** The district's time zone (its default): what a day is in the site counts. */
const ZONE = "Asia/Shanghai";
/** Forgeries' seqs: far above anything the hostile gateway's honest events use. */
const FORGED_SEQ = 900_000_000;

/** What a forgery is, and how it is made: its topic and payload, with `marker` at its start. */
type Forge = (
  marker: string,
  victim: { gatewayId: string; siteId: string; seq: number },
) => { topic: string; payload: string };

const own = (kind: string) => `district/${HOSTILE_SITE}/${HOSTILE_ID}/${kind}`;
const now = () => new Date().toISOString();
const passage = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ id, ts: now(), checkpoint_id: "h-1", decision: "allow", ...fields });

export const FORGERIES: Record<string, Forge> = {
  another_gateways_alert: (marker, victim) => ({
    topic: own("alert"),
    payload: JSON.stringify({
      id: marker,
      alert_id: `${victim.gatewayId}:${victim.seq}`,
      kind: "fever",
      state: "resolved",
      ts: now(),
      opened_at: now(),
    }),
  }),
  another_gateways_id: (marker, victim) => ({
    topic: own("passage"),
    payload: passage(`${victim.gatewayId}:${victim.seq + 100}`, { marker }),
  }),
  another_site: (marker, victim) => ({
    topic: `district/${victim.siteId}/${HOSTILE_ID}/passage`,
    payload: passage(marker),
  }),
  another_gateway_field: (marker, victim) => ({
    topic: own("passage"),
    payload: passage(marker, { gateway_id: victim.gatewayId }),
  }),
  year_275760: (marker) => ({
    topic: own("passage"),
    payload: passage(marker, { ts: "+275760-09-13T00:00:00.000Z" }),
  }),
  year_minus_271821: (marker) => ({
    topic: own("passage"),
    payload: passage(marker, { ts: "-271821-04-20T00:00:00.000Z" }),
  }),
  year_1970: (marker) => ({
    topic: own("passage"),
    payload: passage(marker, { ts: "1970-01-01T00:00:00.000Z" }),
  }),
  oversized: (marker) => ({
    topic: own("passage"),
    payload: passage(marker, { filler: "x".repeat(1_000_000) }),
  }),
  nul: (marker) => ({
    topic: own("passage"),
    payload: passage(marker, { checkpoint_id: "h\u0000" }),
  }),
  wrong_types: (marker) => ({ topic: own("passage"), payload: passage(marker, { temp_c: "hot" }) }),
  garbage: (marker) => ({ topic: own("alert"), payload: `${marker} {{{ not json` }),
};

export interface SoakDistrictOptions {
  dir: string;
  seed: number;
  /** ms since the run started. */
  at: () => number;
  log: (line: string) => void;
  /** The gateway the soak drives: its id and site, and the highest seq it has forwarded. */
  victim: { gatewayId: string; siteId: string; seq: () => number };
}

export class SoakDistrict {
  private postgres: Postgres | undefined;
  private readonly workers = new Map<string, WorkerProcess>();
  private hostile: MqttClient | undefined;
  private hostileTimer: NodeJS.Timeout | undefined;
  private dashboardTimer: NodeJS.Timeout | undefined;
  private token: string | undefined;
  private readonly random: Random;
  private honestSeq = 0;
  private forgeryNo = 0;
  private brokerPort = 0;
  private planned = new Set<string>();
  readonly honest: { id: string; ts: string; decision: "allow" | "deny" }[] = [];
  readonly forgeries: DistrictRecording["forgeries"] = [];
  readonly exits: DistrictRecording["exits"] = [];
  readonly api: DistrictRecording["api"] = [];

  constructor(private readonly o: SoakDistrictOptions) {
    this.random = new Random(o.seed + 11);
  }

  /** PostgreSQL, the registry of both gateways, the two workers, the hostile account. */
  async start(brokerPort: number): Promise<void> {
    this.brokerPort = brokerPort;
    const dir = join(this.o.dir, "district");
    mkdirSync(dir, { recursive: true });
    this.postgres = await startPostgres(dir);
    await this.postgres.createDatabase("district");
    const store = DistrictStore.connect(this.url);
    try {
      await store.migrate();
      await store.register(
        {
          gatewayId: this.o.victim.gatewayId,
          siteId: this.o.victim.siteId,
          siteName: "Soak",
          enabled: true,
        },
        "soak",
      );
      await store.register(
        { gatewayId: HOSTILE_ID, siteId: HOSTILE_SITE, siteName: "Hostile", enabled: true },
        "soak",
      );
    } finally {
      await store.close();
    }
    for (const id of ["w1", "w2"]) await this.startWorker(id);
    this.hostile = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      username: HOSTILE_ID,
      password: HOSTILE_PASSWORD,
      clientId: `soak-${HOSTILE_ID}`,
      reconnectPeriod: 500,
    });
    this.hostile.on("error", () => {});
    this.hostileTimer = setInterval(() => void this.hostileStep(), 400);
    this.dashboardTimer = setInterval(() => void this.dashboardStep(), 1500);
  }

  private get url(): string {
    return this.postgres?.url("district") ?? "";
  }

  private async startWorker(id: string): Promise<void> {
    const worker = await startDistrictWorker(
      join(this.o.dir, "district"),
      id,
      {
        brokerPort: this.brokerPort,
        consumer: DISTRICT_CONSUMER,
        databaseUrl: this.url,
        connections: 4,
      },
      id === API_WORKER
        ? { health: {}, http: { port: 0, host: "127.0.0.1" }, admin_password: DASHBOARD_PASSWORD }
        : { health: {} },
    );
    this.workers.set(id, worker);
    worker.once("exit", (code, signal) => {
      const planned = this.planned.delete(id);
      this.exits.push({ atMs: this.o.at(), planned, detail: `${id} exit ${code ?? signal}` });
      // What it said last: why it went.
      if (!planned)
        this.o.log(
          `soak: worker ${id} exited unplanned:\n${worker.output().split("\n").slice(-15).join("\n")}`,
        );
    });
  }

  /** One step of the hostile gateway: an honest passage of its own, or a forgery. */
  private async hostileStep(): Promise<void> {
    const client = this.hostile;
    if (!client?.connected) return;
    if (this.random.chance(0.4)) {
      const id = `${HOSTILE_ID}:${++this.honestSeq}`;
      const decision = this.random.chance(0.8) ? "allow" : "deny";
      const ts = now();
      this.honest.push({ id, ts, decision });
      await client
        .publishAsync(own("passage"), passage(id, { ts, decision }), { qos: 1 })
        .catch(() => {});
      return;
    }
    const kinds = Object.keys(FORGERIES);
    const kind = kinds[Math.floor(this.random.next() * kinds.length)] as string;
    const marker = `${HOSTILE_ID}:${FORGED_SEQ + ++this.forgeryNo}`;
    const victim = {
      gatewayId: this.o.victim.gatewayId,
      siteId: this.o.victim.siteId,
      // An alert id the gateway has used, or one it will use soon: closing it before it exists.
      seq: Math.max(1, Math.round(this.o.victim.seq() + (this.random.next() - 0.5) * 200)),
    };
    const { topic, payload } = (FORGERIES[kind] as Forge)(marker, victim);
    this.forgeries.push({ marker, kind, atMs: this.o.at() });
    await client.publishAsync(topic, payload, { qos: 1 }).catch(() => {});
  }

  /** The district's faults of the seeded schedule (soak/schedule.ts DISTRICT_FAULTS). */
  async fault(kind: string, sleep: (ms: number) => Promise<unknown>): Promise<void> {
    if (kind === "district_pg_restart") {
      this.postgres?.stop();
      await sleep(3000);
      this.postgres?.start();
      return;
    }
    if (kind === "district_worker_kill") {
      const id = this.random.chance(0.5) ? "w1" : "w2";
      const worker = this.workers.get(id);
      if (!worker) return;
      this.planned.add(id);
      await stopProcess(worker, "SIGKILL");
      await sleep(1000);
      await this.startWorker(id);
    }
  }

  /**
   * One look of a city's dashboard at the contract's API (docs/contract.md#the-district-centre),
   * as a script polling it would: log in once, then today's summary and the newest alerts. Every
   * answer is recorded, but for a request the API worker could not answer because the schedule
   * had killed it.
   */
  private async dashboardStep(): Promise<void> {
    const worker = this.workers.get(API_WORKER);
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const base = `http://127.0.0.1:${worker.httpPort()}`;
    const ask = async (route: string, init?: RequestInit): Promise<Response | null> => {
      const atMs = this.o.at();
      try {
        const response = await fetch(`${base}${route}`, {
          ...init,
          signal: AbortSignal.timeout(15_000),
        });
        this.api.push({ atMs, route: route.split("?")[0] as string, status: response.status });
        return response;
      } catch (error) {
        if (worker.exitCode === null && worker.signalCode === null && !this.planned.has(API_WORKER))
          this.api.push({ atMs, route: `${route.split("?")[0]} (${String(error)})`, status: 0 });
        return null;
      }
    };
    if (!this.token) {
      const login = await ask("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: DASHBOARD_PASSWORD }),
      });
      if (login?.status === 200) this.token = ((await login.json()) as { token: string }).token;
      return;
    }
    const headers = { authorization: `Bearer ${this.token}` };
    await (await ask(`/api/district/summary?date=${localDate(Date.now(), ZONE)}`, { headers }))
      ?.arrayBuffer()
      .catch(() => {});
    await (await ask("/api/district/alerts?limit=20", { headers }))?.arrayBuffer().catch(() => {});
  }

  /** Every alert the API gives, page by page (small pages, to cross many of them). */
  private async apiAlertIds(): Promise<string[]> {
    const worker = this.workers.get(API_WORKER);
    if (!worker || !this.token) return [];
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await fetch(
        `http://127.0.0.1:${worker.httpPort()}/api/district/alerts?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        { headers: { authorization: `Bearer ${this.token}` } },
      );
      if (response.status !== 200) throw new Error(`alerts page: ${response.status}`);
      const page = (await response.json()) as {
        items: { id: string }[];
        next_cursor: string | null;
      };
      ids.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
    } while (cursor);
    return ids;
  }

  /** Stops the hostile account's and the dashboard's traffic. */
  stopClients(): void {
    clearInterval(this.hostileTimer);
    clearInterval(this.dashboardTimer);
  }

  /**
   * Waits, within a bound, for the district to have taken in everything: each of `expected`
   * stored, each forgery a dead letter. A bound, not a speed: what is missing after it is the
   * checker's to report.
   */
  async drain(expected: readonly string[], boundMs: number): Promise<void> {
    const store = DistrictStore.connect(this.url);
    const deadline = Date.now() + boundMs;
    try {
      for (;;) {
        const seen = await this.read(store);
        const ids = new Set(seen.stored.map((row) => row.id));
        const dead = seen.deadLetters.join("\n");
        const missing =
          [...expected, ...this.honest.map((h) => h.id)].filter((id) => !ids.has(id)).length +
          this.forgeries.filter((f) => !dead.includes(f.marker)).length;
        if (missing === 0) return;
        if (Date.now() > deadline) {
          this.o.log(`soak: the district still missed ${missing} event(s) after ${boundMs} ms`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await store.close();
    }
  }

  private async read(store: DistrictStore) {
    const rows = async <T>(sql: string) => (await store.pool.query(sql)).rows as T[];
    return {
      stored: await rows<{ id: string; gateway_id: string; kind: string }>(
        `SELECT id, gateway_id, 'passage' AS kind FROM passages
         UNION ALL SELECT id, gateway_id, 'alert' FROM alert_changes
         UNION ALL SELECT id, gateway_id, 'device_status' FROM device_status
         UNION ALL SELECT id, gateway_id, 'summary' FROM summaries`,
      ),
      deadLetters: (await rows<{ payload: string }>("SELECT payload FROM dead_letters")).map(
        (r) => r.payload,
      ),
    };
  }

  /**
   * What the district holds after the run, for the checker: its events, alerts and their
   * changes, each site's counts of every local day the run touched, the dead letters; with what
   * each gateway says of those days (`gatewayDays`: the soak's gateway's own summary API).
   */
  async collect(
    startedAt: number,
    gatewayDays: (date: string) => Promise<DayCounts | null>,
    gatewayAlertStates: Record<string, string>,
  ): Promise<DistrictRecording> {
    const store = DistrictStore.connect(this.url);
    try {
      const seen = await this.read(store);
      const dates = [...new Set([localDate(startedAt, ZONE), localDate(Date.now(), ZONE)])];
      const counts: DistrictRecording["siteCounts"] = [];
      const gatewayCounts: DistrictRecording["gatewayCounts"] = [];
      for (const date of dates) {
        const [from, to] = dayBounds(date, ZONE);
        for (const c of await siteCounts(store.pool, from, to))
          counts.push({
            date,
            site_id: c.site_id,
            passages: c.passages,
            allowed: c.allowed,
            denied: c.denied,
          });
        const victim = await gatewayDays(date);
        if (victim) gatewayCounts.push({ date, gateway_id: this.o.victim.gatewayId, ...victim });
        const own = this.honest.filter((h) => localDate(Date.parse(h.ts), ZONE) === date);
        gatewayCounts.push({
          date,
          gateway_id: HOSTILE_ID,
          passages: own.length,
          allowed: own.filter((h) => h.decision === "allow").length,
          denied: own.filter((h) => h.decision === "deny").length,
        });
      }
      return {
        sites: { [this.o.victim.gatewayId]: this.o.victim.siteId, [HOSTILE_ID]: HOSTILE_SITE },
        hostile: { gatewayId: HOSTILE_ID, honestIds: this.honest.map((h) => h.id) },
        forgeries: this.forgeries,
        stored: seen.stored,
        alerts: (
          await store.pool.query<{ gateway_id: string; alert_id: string; state: string }>(
            "SELECT gateway_id, alert_id, state FROM alerts",
          )
        ).rows,
        alertChanges: (
          await store.pool.query<{ id: string; gateway_id: string; alert_id: string }>(
            "SELECT id, gateway_id, alert_id FROM alert_changes",
          )
        ).rows,
        gatewayAlertStates,
        siteCounts: counts,
        gatewayCounts,
        deadLetters: seen.deadLetters,
        exits: this.exits,
        api: this.api,
        apiAlertIds: await this.apiAlertIds(),
      };
    } finally {
      await store.close();
    }
  }

  async stop(): Promise<void> {
    this.stopClients();
    await this.hostile?.endAsync(true).catch(() => {});
    for (const [id, worker] of this.workers) {
      this.planned.add(id);
      await stopProcess(worker, "SIGTERM");
    }
    try {
      this.postgres?.stop();
    } catch {
      // already stopped
    }
  }
}
