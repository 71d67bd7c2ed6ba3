import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  DEVICE_PASSWORD,
  eventually,
  login,
  metricValue,
  type RunningGateway,
  startGateway,
  submitReadings,
} from "../helpers/gateway.js";
import { FaultProxy, freePort, type Mosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { type GatewayProcess, spawnGateway, stopProcess } from "../helpers/process.js";

const GATEWAY_PASSWORD = "gw-upstream-pass";
let dir: string;
let broker: Mosquitto;
let consumer: MqttClient;
/** Every event the district was sent, whole, with its topic and kind. */
const received: ({
  topic: string;
  id: string;
  kind: string;
  alert_id?: string;
  state?: string;
} & Record<string, unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-upstream-"));
  broker = await startMosquitto(dir, {
    "gw-test": GATEWAY_PASSWORD,
    "gw-crash": GATEWAY_PASSWORD,
    "district-consumer": "consumer-pass",
  });
  consumer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: "district-consumer",
    password: "consumer-pass",
    clientId: "district",
    clean: true,
  });
  consumer.on("message", (topic, payload) => {
    const kind = topic.split("/").at(-1) ?? "";
    if (kind === "status") return;
    const event = JSON.parse(payload.toString()) as { id: string } & Record<string, unknown>;
    received.push({ ...event, topic, kind });
  });
  await consumer.subscribeAsync("district/#", { qos: 1 });
});
afterAll(async () => {
  await consumer?.endAsync(true);
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (prefix: string) => received.filter((m) => m.id.startsWith(prefix)).map((m) => m.id);
const seqOf = (id: string) => Number(id.split(":")[1]);

describe("forwarding to a real Mosquitto", () => {
  let gw: RunningGateway;
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await FaultProxy.start(broker.port);
    gw = await startGateway({
      upstream: {
        url: `mqtt://127.0.0.1:${proxy.port}`,
        username: "gw-test",
        password: GATEWAY_PASSWORD,
        topic_prefix: "district",
      },
    });
    await eventually(async () => ((await health()).connected ? true : undefined));
  });
  afterAll(async () => {
    await gw.close();
    await proxy.close();
  });

  const health = async () =>
    (
      (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
        upstream: {
          connected: boolean;
          queue_depth: number;
          oldest_age_s: number | null;
          enabled: boolean;
        };
      }
    ).upstream;
  const readings = (count: number, fevers = 0) => submitReadings(gw, count, fevers);

  it("forwards every passage and alert once, in order per kind, under district/<site>/<gateway>/<kind>", async () => {
    readings(40, 5);
    await eventually(() => (ids("gw-test:").length >= 46 ? true : undefined), 10_000);
    const passages = received.filter((m) => m.kind === "passage");
    const alerts = received.filter((m) => m.kind === "alert");
    expect(passages).toHaveLength(40);
    expect(alerts).toHaveLength(5);
    expect(new Set(passages.map((m) => m.id)).size).toBe(40);
    const order = passages.map((m) => seqOf(m.id));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(passages[0]?.topic).toBe("district/demo/gw-test/passage");
    expect(received.some((m) => m.kind === "reading")).toBe(false);
    // Yesterday's summary goes up once at start (the gateway had never sent one).
    expect(received.filter((m) => m.kind === "summary").map((m) => m.topic)).toEqual([
      "district/demo/gw-test/summary",
    ]);
    await eventually(async () => ((await health()).queue_depth === 0 ? true : undefined));
  });

  it("forwards an alert's acknowledge and resolve as events of their own, which survive a dedupe on id", async () => {
    received.length = 0;
    readings(1, 1);
    const opened = await eventually(() =>
      received.find((m) => m.kind === "alert" && m.state === "open"),
    );
    const alertId = opened.alert_id as string;
    expect(alertId).toBe(opened.id);
    const auth = { authorization: `Bearer ${await login(gw.httpUrl)}` };
    const post = (path: string, body: object) =>
      fetch(`${gw.httpUrl}/api/alerts/${alertId}/${path}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("ack", {})).status).toBe(200);
    const resolve = await post("resolve", {
      disposition: "referred",
      confirm_temp_c: 38.4,
      note: "王先生 sent to the fever clinic",
    });
    expect(resolve.status).toBe(200);
    expect(await resolve.json()).toMatchObject({ resolved_by: "admin", note: expect.any(String) });
    const resolved = await eventually(() =>
      received.find((m) => m.alert_id === alertId && m.state === "resolved"),
    );
    // The guard's name and note stay at the site (upstream.personal_data: masked, the default).
    expect(resolved).toMatchObject({
      acknowledged_by: null,
      resolved_by: null,
      note: null,
      disposition: "referred",
    });
    // The district's dedupe: one row per id, as `INSERT ... ON CONFLICT (id) DO NOTHING` keeps.
    const deduped = new Map(
      received.filter((m) => m.alert_id === alertId).map((m) => [m.id, m.state]),
    );
    expect([...deduped.values()]).toEqual(["open", "acknowledged", "resolved"]);
    expect(new Set(deduped.keys()).size).toBe(3);
  });

  it("keeps working through an outage, shows the queue growing, then delivers every event", async () => {
    received.length = 0;
    proxy.cut();
    await eventually(async () => ((await health()).connected === false ? true : undefined), 10_000);
    readings(100, 10);
    await eventually(async () => ((await health()).queue_depth === 110 ? true : undefined));
    const down = await health();
    expect(down).toMatchObject({ enabled: true, connected: false, queue_depth: 110 });
    expect(down.oldest_age_s).not.toBeNull();
    expect(received).toHaveLength(0);
    proxy.restore();
    await eventually(
      () => (new Set(received.map((m) => m.id)).size >= 110 ? true : undefined),
      40_000,
    );
    // The alerts' lane goes first after the outage.
    expect(received.slice(0, 10).every((m) => m.kind === "alert")).toBe(true);
    const unique = new Set(received.map((m) => m.id));
    expect(unique.size).toBe(110);
    await eventually(async () => ((await health()).queue_depth === 0 ? true : undefined));
  });

  it("loses nothing on a link that drops every few hundred ms during the flush", async () => {
    received.length = 0;
    proxy.cut();
    await eventually(async () => ((await health()).connected === false ? true : undefined), 10_000);
    readings(3000, 0);
    const reconnectsBefore = await metricValue(gw.httpUrl, "checkpoint_upstream_reconnects_total");
    proxy.restore();
    const flapping = setInterval(() => {
      proxy.cut();
      setTimeout(() => proxy.restore(), 100);
    }, 250);
    await eventually(
      () => (new Set(received.map((m) => m.id)).size >= 3000 ? true : undefined),
      60_000,
    ).finally(() => clearInterval(flapping));
    proxy.restore();
    expect(new Set(received.map((m) => m.id)).size).toBe(3000);
    // The link really did drop during the flush (the backlog goes at 2,000/s, so it took > 1 s).
    expect(
      (await metricValue(gw.httpUrl, "checkpoint_upstream_reconnects_total")) - reconnectsBefore,
    ).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

describe("a gateway killed with SIGKILL while its outbox is not empty", () => {
  it("forwards, after a restart, every event whose reading the device had a PUBACK for", async () => {
    const proxy = await FaultProxy.start(broker.port);
    proxy.cut();
    const gwDir = mkdtempSync(join(dir, "crash-"));
    const config = {
      gateway_id: "gw-crash",
      http: { host: "127.0.0.1", port: 0 },
      mqtt: { host: "127.0.0.1", port: 0 },
      database: { path: join(gwDir, "crash.db") },
      admin_password: "admin-test-pass",
      log_level: "warn",
      checkpoints: [{ id: "gate-1", name: "Gate" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
      upstream: {
        url: `mqtt://127.0.0.1:${proxy.port}`,
        username: "gw-crash",
        password: GATEWAY_PASSWORD,
      },
    };
    let gateway: GatewayProcess = await spawnGateway(gwDir, { ...config, log_level: "info" });
    const thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
    for (let i = 0; i < 500; i++) {
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
        temp_c: 38.2,
        msg_id: `c-${i}`,
      });
    }
    await stopProcess(gateway.child, "SIGKILL");
    thermo.end(true);
    // Restarted with the link back, and killed again in the middle of the flush.
    proxy.restore();
    gateway = await spawnGateway(gwDir, { ...config, log_level: "info" });
    await eventually(() => (new Set(ids("gw-crash:")).size >= 100 ? true : undefined), 30_000);
    await stopProcess(gateway.child, "SIGKILL");
    const atSecondKill = received.filter(
      (m) => m.id.startsWith("gw-crash:") && m.kind !== "device_status",
    ).length;
    expect(atSecondKill).toBeLessThan(1000);
    gateway = await spawnGateway(gwDir, { ...config, log_level: "info" });
    // 500 fever alerts and 500 passages were acknowledged to the device before the first kill
    // (device status changes go up too, so count by kind).
    const ofKind = (kind: string) =>
      new Set(
        received.filter((m) => m.id.startsWith("gw-crash:") && m.kind === kind).map((m) => m.id),
      ).size;
    await eventually(
      () => (ofKind("alert") >= 500 && ofKind("passage") >= 500 ? true : undefined),
      30_000,
    );
    expect(
      new Set(
        received.filter((m) => m.id.startsWith("gw-crash:") && m.kind === "alert").map((m) => m.id),
      ).size,
    ).toBe(500);
    expect(
      new Set(
        received
          .filter((m) => m.id.startsWith("gw-crash:") && m.kind === "passage")
          .map((m) => m.id),
      ).size,
    ).toBe(500);
    await stopProcess(gateway.child);
    await proxy.close();
  }, 60_000);
});

describe("a broker that refuses the gateway's credentials", () => {
  it("says so in the log and in health, keeps retrying, and keeps working", async () => {
    const gw = await startGateway({
      upstream: {
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: "gw-test",
        password: "wrong-password",
      },
    });
    const health = async () =>
      (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
        status: string;
        upstream: { connected: boolean; last_error: string | null; queue_depth: number };
      };
    await eventually(async () => ((await health()).upstream.last_error ? true : undefined), 10_000);
    gw.gateway.ingest.submitReading(
      { device_id: "thermo-1", raw_c: 38.4, ambient_c: null, ts_ms: Date.now(), msg_id: null },
      () => {},
    );
    // The fever's alert and passage, and yesterday's summary queued at start.
    await eventually(async () => ((await health()).upstream.queue_depth === 3 ? true : undefined));
    const report = await health();
    expect(report.status).toBe("ok");
    expect(report.upstream.connected).toBe(false);
    expect(report.upstream.last_error).toMatch(/not authorized|bad user ?name or password/i);
    await eventually(
      async () =>
        (await metricValue(gw.httpUrl, "checkpoint_upstream_reconnects_total")) >= 2
          ? true
          : undefined,
      10_000,
    );
    await gw.close();
  });
});

describe("an outbox near its limit", () => {
  it("raises an upstream_backlog alert and keeps every event", async () => {
    const closedPort = await freePort();
    const gw = await startGateway({
      upstream: {
        url: `mqtt://127.0.0.1:${closedPort}`,
        username: "gw-test",
        password: GATEWAY_PASSWORD,
        max_queue: 10,
      },
    });
    for (let i = 0; i < 12; i++)
      gw.gateway.ingest.submitReading(
        { device_id: "thermo-1", raw_c: 36.5, ambient_c: null, ts_ms: Date.now(), msg_id: null },
        () => {},
      );
    await eventually(
      () =>
        gw.gateway.store.alerts.active().some((a) => a.kind === "upstream_backlog")
          ? true
          : undefined,
      5000,
    );
    // The 12 passages, yesterday's summary, and the alert itself, which goes up too.
    await eventually(() => (gw.gateway.store.outbox.depth() === 14 ? true : undefined));
    expect(await metricValue(gw.httpUrl, "checkpoint_upstream_queue_depth")).toBeGreaterThanOrEqual(
      12,
    );
    await gw.close();
  });
});
