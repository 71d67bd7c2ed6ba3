import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  type DistrictRig,
  registerGateways,
  startDistrictRig,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";

/**
 * The district's API as the contract has it (docs/contract.md#the-district-centre), for a city's
 * dashboard or a script: token login, every route with and without a login, the alerts' filters
 * and paging, the summary of a date from the gateways' summaries, both CSV exports and the live
 * channel. Against Debian's Mosquitto, a PostgreSQL cluster of the test's own and a worker
 * process configured with the contract's keys (`http`, `admin_password`).
 */
const ADMIN_PASSWORD = "district-api-admin";
const DATE = "2026-11-30";
let rig: DistrictRig;
let base: string;
let token: string;
const client = (id: string) => rig.clients.get(id) as MqttClient;

/** When each gateway's alerts opened: one a minute, gw-a's and gw-b's interleaved. */
const openedAt = (n: number) => new Date(Date.parse("2026-12-01T08:00:00Z") + n * 60_000);
const ALERTS_PER_GATEWAY = 12;

async function publish(from: string, site: string, kind: string, payload: object) {
  await client(from).publishAsync(`district/${site}/${from}/${kind}`, JSON.stringify(payload), {
    qos: 1,
  });
}

/** A gateway's alerts: even ones fevers, odd ones a device offline; the first three go on. */
async function sendAlerts(gateway: string, site: string, offset: number) {
  let seq = 1000;
  for (let i = 0; i < ALERTS_PER_GATEWAY; i++) {
    const alertId = `${gateway}:${i + 1}`;
    const opened = openedAt(2 * i + offset).toISOString();
    const change = (state: string, by: Record<string, unknown> = {}) => ({
      id: `${gateway}:${++seq}`,
      alert_id: alertId,
      kind: i % 2 === 0 ? "fever" : "device_offline",
      state,
      checkpoint_id: "gate-1",
      device_id: "thermo-1",
      temp_c: i % 2 === 0 ? 38.1 + i / 10 : null,
      opened_at: opened,
      ts: opened,
      ...by,
    });
    await publish(gateway, site, "alert", change("open"));
    if (i < 3) {
      await publish(gateway, site, "alert", change("acknowledged"));
      await publish(
        gateway,
        site,
        "alert",
        change("resolved", { disposition: "referred", confirm_temp_c: 38.2 }),
      );
    }
  }
}

const summary = (gateway: string, site: string, counts: number[]) => ({
  id: `${gateway}:9000`,
  gateway_id: gateway,
  site_id: site,
  date: DATE,
  timezone: "Asia/Shanghai",
  checkpoints: counts.map((passages, i) => ({
    checkpoint_id: `gate-${i + 1}`,
    name: `${gateway} 第${i + 1}门`,
    passages,
    allowed: passages - 2,
    denied: 2,
    denied_by_reason: { fever: 1, no_pass: 1 },
    fevers: 1,
    lows: 1,
    hours: [],
    devices: [],
  })),
});

const api = (path: string, auth: "token" | "none" | string = "token") =>
  fetch(`${base}${path}`, {
    headers:
      auth === "none"
        ? {}
        : auth === "token"
          ? { authorization: `Bearer ${token}` }
          : { cookie: auth },
  });

interface AlertItem {
  id: string;
  state: string;
  kind: string;
  site_id: string;
  site_name: string;
  checkpoint_name: string | null;
  changes: { state: string }[];
}

/** Every alert a query gives, following next_cursor page by page. */
async function allPages(query: string): Promise<{ items: AlertItem[]; pages: number }> {
  const items: AlertItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/district/alerts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = (await (await api(url)).json()) as {
      items: AlertItem[];
      next_cursor: string | null;
    };
    items.push(...page.items);
    cursor = page.next_cursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { items, pages };
}

beforeAll(async () => {
  rig = await startDistrictRig("district-api", ["gw-a", "gw-b", "gw-c"], {
    worker: {
      district_id: "fengtai",
      http: { port: 0, host: "127.0.0.1" },
      admin_password: ADMIN_PASSWORD,
    },
  });
  base = `http://127.0.0.1:${rig.consolePort()}`;
  await registerGateways(rig.postgres.url("district"), [
    { gatewayId: "gw-a", siteId: "site-a", siteName: "东区社区" },
    { gatewayId: "gw-b", siteId: "site-b", siteName: "西区写字楼" },
    { gatewayId: "gw-c", siteId: "site-b", siteName: "西区写字楼" },
  ]);
  await sendAlerts("gw-a", "site-a", 0);
  await sendAlerts("gw-b", "site-b", 1);
  await publish("gw-a", "site-a", "summary", summary("gw-a", "site-a", [40, 60]));
  await publish("gw-b", "site-b", "summary", summary("gw-b", "site-b", [100]));
  const expectedChanges = 2 * (ALERTS_PER_GATEWAY + 3 * 2);
  await eventually(
    async () =>
      (await rig.count("SELECT count(*) AS n FROM alert_changes")) === expectedChanges &&
      (await rig.count("SELECT count(*) AS n FROM summaries")) === 2
        ? true
        : undefined,
    30_000,
  );
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
}, 90_000);

afterAll(() => rig?.close());

describe("the district's API (docs/contract.md#the-district-centre)", () => {
  it("logs in with a token, and refuses a wrong password", async () => {
    const wrong = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "not-the-password" }),
    });
    expect(wrong.status).toBe(401);
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const me = await fetch(`${base}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await me.json()).toEqual({ username: "admin", role: "admin" });
  });

  it.each([
    "/api/district/gateways",
    "/api/district/alerts",
    `/api/district/summary?date=${DATE}`,
    "/api/district/export/alerts.csv",
    `/api/district/export/passages.csv?date=${DATE}`,
  ])("%s: 401 without a login, 200 with the token and with the cookie", async (path) => {
    expect((await api(path, "none")).status).toBe(401);
    expect((await api(path, "bearer-of-nothing")).status).toBe(401);
    expect((await api(path, "token")).status).toBe(200);
    expect((await api(path, `district_session=${token}`)).status).toBe(200);
  });

  it("answers an unknown path, a bad filter and a forged cursor with a clear 4xx", async () => {
    expect((await api("/api/district/nothing")).status).toBe(404);
    const state = await api("/api/district/alerts?state=closed");
    expect(state.status).toBe(400);
    expect(((await state.json()) as { error: string }).error).toMatch(/^query\.state: /);
    expect((await api("/api/district/alerts?cursor=forged")).status).toBe(400);
    expect((await api("/api/district/alerts?from=yesterday")).status).toBe(400);
    expect((await api("/api/district/summary?date=30/11/2026")).status).toBe(400);
    // Dates that do not exist, and times PostgreSQL cannot hold (JavaScript's extremes): each a
    // 400 naming its parameter, on every route that takes it (year -271821 was a 500).
    for (const [path, parameter] of [
      ["/api/district/summary?date=2026-02-30", "date"],
      ["/api/district/export/passages.csv?date=2026-02-29", "date"],
      ["/api/district/alerts?from=-271821-04-20T00:00:00.000Z", "from"],
      ["/api/district/export/alerts.csv?from=-271821-04-20T00:00:00.000Z", "from"],
      ["/api/district/alerts?to=%2B275760-09-13T00:00:00.000Z", "to"],
    ] as const) {
      const answer = await api(path);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(((await answer.json()) as { error: string }).error).toMatch(`query.${parameter}: `);
    }
  });

  it("lists every gateway with its site, link and last event", async () => {
    const gateways = (await (await api("/api/district/gateways")).json()) as Record<
      string,
      unknown
    >[];
    expect(gateways.map((g) => [g.gateway_id, g.site_id, g.site_name])).toEqual([
      ["gw-a", "site-a", "东区社区"],
      ["gw-b", "site-b", "西区写字楼"],
    ]);
    expect(gateways[0]).toMatchObject({ online: null, last_event_at: expect.any(String) });
  });

  it("pages through every alert once, newest first, whatever the page size", async () => {
    for (const limit of [1, 5, 7, 24, 1000]) {
      const { items, pages } = await allPages(`limit=${limit}`);
      expect(items).toHaveLength(2 * ALERTS_PER_GATEWAY);
      expect(new Set(items.map((a) => a.id)).size).toBe(2 * ALERTS_PER_GATEWAY);
      expect(pages).toBe(Math.ceil((2 * ALERTS_PER_GATEWAY) / limit));
      // Newest first: gw-b's last alert opened last.
      expect(items[0]?.id).toBe(`gw-b:${ALERTS_PER_GATEWAY}`);
      expect(items.at(-1)?.id).toBe("gw-a:1");
    }
  });

  it.each([
    ["site=site-a", 12, (a: AlertItem) => a.site_id === "site-a"],
    ["kind=fever", 12, (a: AlertItem) => a.kind === "fever"],
    ["state=resolved", 6, (a: AlertItem) => a.state === "resolved"],
    // gw-b's device alerts are its odd ones, 2 to 12; the first (2) was resolved.
    ["state=open&site=site-b&kind=device_offline", 5, (a: AlertItem) => a.site_id === "site-b"],
    [`from=${openedAt(20).toISOString()}`, 4, (a: AlertItem) => Number(a.id.split(":")[1]) >= 11],
    [
      `from=${openedAt(2).getTime()}&to=${openedAt(5).toISOString()}`,
      4,
      (a: AlertItem) => Number(a.id.split(":")[1]) <= 3,
    ],
  ])("filters %s: %i alerts, each one that matches", async (query, n, matches) => {
    const { items } = await allPages(`${query}&limit=3`);
    expect(items).toHaveLength(n);
    expect(items.filter((a) => !matches(a))).toEqual([]);
  });

  it("gives each alert the state after every change, and the names a person reads", async () => {
    const { items } = await allPages("site=site-a&state=resolved");
    const first = items.find((a) => a.id === "gw-a:1");
    expect(first).toMatchObject({
      state: "resolved",
      site_name: "东区社区",
      checkpoint_name: "gw-a 第1门",
      disposition: "referred",
      confirm_temp_c: 38.2,
    });
    expect(first?.changes.map((c) => c.state)).toEqual(["open", "acknowledged", "resolved"]);
  });

  it("sums a date's gateway summaries per site and in total, and names who has not reported", async () => {
    const day = (await (await api(`/api/district/summary?date=${DATE}`)).json()) as {
      sites: Record<string, unknown>[];
      total: Record<string, unknown>;
    };
    expect(day.sites).toEqual([
      expect.objectContaining({
        site_id: "site-a",
        site_name: "东区社区",
        passages: 100,
        allowed: 96,
        denied: 4,
        denied_by_reason: { fever: 2, no_pass: 2 },
        fevers: 2,
        lows: 2,
        gateways_reporting: ["gw-a"],
        gateways_missing: [],
      }),
      expect.objectContaining({
        site_id: "site-b",
        passages: 100,
        fevers: 1,
        gateways_reporting: ["gw-b"],
        gateways_missing: ["gw-c"],
      }),
    ]);
    expect(day.total).toMatchObject({
      passages: 200,
      denied_by_reason: { fever: 3, no_pass: 3 },
      lows: 3,
      gateways_reporting: 2,
      gateways_missing: 1,
    });
  });

  it("exports the filtered alerts for Excel, names first, with every change", async () => {
    const response = await api("/api/district/export/alerts.csv?kind=fever&site=site-a");
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    // The byte-order mark that makes Excel read UTF-8 (fetch's text() would drop it).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    expect(text.startsWith("编号 id,")).toBe(true);
    const lines = text.trim().split("\r\n");
    expect(lines).toHaveLength(1 + 6);
    expect(lines.find((line) => line.startsWith("gw-a:1,"))).toMatch(
      /,东区社区,site-a,gw-a,gw-a 第1门,gate-1,fever,已处置,38\.1,38\.2,referred,.*待处理; .*已确认; .*已处置$/,
    );
  });

  it("pushes live on /live/district to a token, and refuses an upgrade without one", async () => {
    const refused = new WebSocket(`${base.replace("http", "ws")}/live/district`);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      refused.on("open", () => resolve(undefined));
      refused.on("error", () => {});
    });
    expect(status).toBe(401);
    const live = new WebSocket(`${base.replace("http", "ws")}/live/district`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const messages: { type: string; alert?: { alert_id: string } }[] = [];
    live.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      live.once("open", resolve);
      live.once("error", reject);
    });
    await publish("gw-a", "site-a", "alert", {
      id: "gw-a:5000",
      alert_id: "gw-a:4999",
      kind: "fever",
      state: "open",
      checkpoint_id: "gate-1",
      temp_c: 39.1,
      opened_at: new Date().toISOString(),
      ts: new Date().toISOString(),
    });
    await eventually(() =>
      messages.find((m) => m.type === "fever" && m.alert?.alert_id === "gw-a:4999"),
    );
    live.close();
  });
});
