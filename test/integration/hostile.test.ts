import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KIOSK_FIELDS } from "../../gateway/live/messages.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD, eventually } from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/**
 * Hostile input against a real gateway process: each attack as a client on the site's network
 * would send it, and after each, the gateway is still up and a good device is still served.
 */
const ADMIN = "admin-test-pass";
let dir: string;
let gateway: GatewayProcess;
let thermo: MqttClient;
let http: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-hostile-"));
  gateway = await spawnGateway(
    dir,
    processConfig(
      dir,
      "gw-hostile",
      {
        checkpoints: [
          { id: "gate-1", name: "Gate" },
          { id: "gate-2", name: "Car park", mode: "pass_only" },
        ],
        devices: [
          { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
          { id: "reader-1", kind: "pass_reader", checkpoint: "gate-1", password: DEVICE_PASSWORD },
          { id: "reader-2", kind: "pass_reader", checkpoint: "gate-2", password: DEVICE_PASSWORD },
        ],
      },
      { http: { host: "0.0.0.0", port: 0 }, live: { max_kiosk_clients: 150 } },
    ),
  );
  http = `http://127.0.0.1:${gateway.httpPort}`;
  thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
});
afterAll(async () => {
  await thermo?.endAsync(true);
  if (gateway) await stopProcess(gateway.child, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

let readingNo = 0;
/** The gateway is up and still serves a good device: a reading is acknowledged and stored. */
async function stillServing(): Promise<void> {
  expect(gateway.child.exitCode).toBeNull();
  readingNo += 1;
  const msgId = `good-${readingNo}`;
  await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
    temp_c: 36.6,
    msg_id: msgId,
  });
  const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
  try {
    expect(db.prepare("SELECT count(*) FROM readings WHERE msg_id = ?").pluck().get(msgId)).toBe(1);
  } finally {
    db.close();
  }
}

function rssMb(running: GatewayProcess): number {
  const status = readFileSync(`/proc/${running.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function metricLines(name: string): Promise<string> {
  const text = await (await fetch(`${http.replace(/\/$/, "")}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(name))
    .join("\n");
}

/** Sends raw bytes to the HTTP port and resolves with what came back before the socket closed. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(gateway.httpPort, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
    socket.write(bytes);
  });
}

/** A login from a chosen loopback source address (127.0.0.0/8 is all this machine). */
function loginFrom(
  localAddress: string,
  username: string,
  password: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request(
      `${http}/api/auth/login`,
      {
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function adminToken(): Promise<string> {
  const { body } = await loginFrom("127.0.0.9", "admin", ADMIN);
  return (JSON.parse(body) as { token: string }).token;
}

async function api(method: string, path: string, body?: object): Promise<Response> {
  return fetch(`${http}${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function auditRows(action: string): Promise<{ address: string; details: unknown }[]> {
  const response = await api("GET", `/api/audit?action=${action}&limit=1000`);
  return ((await response.json()) as { items: { address: string; details: unknown }[] }).items;
}

describe("hostile input against a real gateway process", () => {
  it("answers a WebSocket upgrade whose URL does not parse with 400, and keeps running", async () => {
    const answer = await raw(
      "GET //[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await stillServing();
  });

  it("checks at most 5 passwords of a burst of 150 concurrent guesses, the right one among them refused", async () => {
    const guesses = Array.from({ length: 150 }, (_, i) =>
      loginFrom("127.0.0.2", "admin", i === 120 ? ADMIN : `wrong-${i}`),
    );
    const answers = await Promise.all(guesses);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(145);
    await stillServing();
  });

  it("does not lock the admin out at another address, and audits a storm in a few rows", async () => {
    // 127.0.0.2 guessed 145 times above (throttled); the admin logs in from another address.
    const elsewhere = await loginFrom("127.0.0.3", "admin", ADMIN);
    expect(elsewhere.status).toBe(200);
    const failed = (await auditRows("login_failed")).filter((r) => r.address === "127.0.0.2");
    const throttled = (await auditRows("login_throttled")).filter((r) => r.address === "127.0.0.2");
    // The first of each at once; the rest aggregated with their count (within a minute).
    expect(failed).toHaveLength(1);
    expect(throttled).toHaveLength(1);
  });

  it("shows the public kiosk channel only each message type's allowed fields, live and in replay", async () => {
    const note = "called 13800138000, ID 110101199003077777";
    expect(
      (
        await api("POST", "/api/passes", {
          pass_id: "0012345678",
          holder_name: "王小明",
          unit: "3-2-401",
        })
      ).status,
    ).toBe(201);
    const kiosk = await LiveClient.connect(
      `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1`,
    );
    const reader = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "reader-1");
    await publishQos1(reader, deviceTopic("reader-1", "scan"), {
      pass_id: "0012345678",
      method: "card",
    });
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: 38.9 });
    await reader.endAsync(true);
    const fever = await kiosk.waitFor((m) => m.type === "alert" && m.data.kind === "fever");
    const alertId = String(fever.data.alert_id);
    expect((await api("POST", `/api/alerts/${alertId}/ack`, {})).status).toBe(200);
    expect(
      (
        await api("POST", `/api/alerts/${alertId}/resolve`, {
          disposition: "referred",
          confirm_temp_c: 38.8,
          note,
        })
      ).status,
    ).toBe(200);
    await kiosk.waitFor((m) => m.type === "alert_update" && m.data.state === "resolved");
    await kiosk.waitFor((m) => m.type === "device_status");
    // A second kiosk resumes from the start: the replay too.
    const replayed = await LiveClient.connect(
      `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1&since=0`,
    );
    await replayed.waitFor((m) => m.type === "alert_update" && m.data.state === "resolved");
    for (const client of [kiosk, replayed]) {
      const types = new Set<string>(client.messages.map((m) => m.type));
      for (const type of ["reading", "scan", "passage", "alert", "alert_update", "device_status"])
        expect(types.has(type)).toBe(true);
      for (const message of client.messages) {
        const allowed =
          message.type === "hello" ? null : KIOSK_FIELDS[message.type as keyof typeof KIOSK_FIELDS];
        if (allowed) for (const key of Object.keys(message.data)) expect(allowed).toContain(key);
        const text = JSON.stringify(message);
        for (const secret of ["13800138000", "110101199003077777", "王小明", "0012345678", "admin"])
          expect(text).not.toContain(secret);
      }
      await client.close();
    }
    const passage = kiosk.messages.find((m) => m.type === "passage" && m.data.pass_id !== null);
    expect(passage?.data).toMatchObject({ pass_id: "00****5678", holder_name: "王*" });
    await stillServing();
  });

  it("stores a reading from a device whose clock says year 10000 or 1970 with the gateway's time, flags the device, and exports", async () => {
    const before = Date.now();
    for (const [ts, msgId] of [
      [Date.UTC(10000, 0, 1), "clock-10000"],
      [1000, "clock-1970"],
    ] as const)
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
        temp_c: 38.1,
        ts,
        msg_id: msgId,
      });
    const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
    const rows = db
      .prepare(
        "SELECT msg_id, ts_ms, device_ts_ms FROM readings WHERE msg_id LIKE 'clock-%' ORDER BY seq",
      )
      .all() as { msg_id: string; ts_ms: number; device_ts_ms: number }[];
    // The fever's passage and alert were stored with it (they failed with the year 10000 before).
    const alerts = db
      .prepare("SELECT count(*) FROM alerts WHERE kind = 'fever' AND temp_c = 38.1")
      .pluck()
      .get();
    db.close();
    expect(rows.map((r) => [r.msg_id, r.device_ts_ms])).toEqual([
      ["clock-10000", Date.UTC(10000, 0, 1)],
      ["clock-1970", 1000],
    ]);
    for (const row of rows) expect(row.ts_ms).toBeGreaterThanOrEqual(before);
    expect(alerts).toBe(2);
    const health = (await (await fetch(`${http}/api/health`)).json()) as {
      devices: { id: string; clock_skew_s: number | null }[];
    };
    expect(health.devices.find((d) => d.id === "thermo-1")?.clock_skew_s).toBeLessThan(-1e9);
    const csv = await api("GET", "/api/export/readings.csv");
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text.trim().split("\r\n").length).toBeGreaterThan(2);
    // A device whose clock is fine again clears the flag.
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 36.5,
      ts: Date.now(),
    });
    const after = (await (await fetch(`${http}/api/health`)).json()) as typeof health;
    expect(after.devices.find((d) => d.id === "thermo-1")?.clock_skew_s).toBeNull();
    await stillServing();
  });

  it("replays 100 anonymous kiosks at once within their bound, page by page, and refuses the 21st from one address", async () => {
    // Many events to replay: a day at a busy gate.
    const before = Number(
      ((await (await fetch(`${http}/api/health`)).json()) as { db: { last_seq: number } }).db
        .last_seq,
    );
    const thermoBurst = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) =>
        publishQos1(thermoBurst, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.6,
          msg_id: `replay-${i}`,
        }),
      ),
    );
    await thermoBurst.endAsync(true);
    const kiosks = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        LiveClient.connect(
          `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1&since=0`,
          {},
          `127.0.0.${20 + Math.floor(i / 20)}`,
        ),
      ),
    );
    // A 21st from an address that has 20 is refused with a clear status.
    await expect(
      LiveClient.connect(
        `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1&since=0`,
        {},
        "127.0.0.20",
      ),
    ).rejects.toThrow("HTTP 429");
    // Past the total bound (150 here) from fresh addresses: refused with 503.
    const more = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        LiveClient.connect(
          `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1`,
          {},
          `127.0.0.${30 + Math.floor(i / 20)}`,
        ),
      ),
    );
    await expect(
      LiveClient.connect(
        `ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1`,
        {},
        "127.0.0.39",
      ),
    ).rejects.toThrow("HTTP 503");
    await Promise.all(more.map((kiosk) => kiosk.close()));
    // Meanwhile the gateway answers and serves devices.
    expect((await fetch(`${http}/api/health`)).status).toBe(200);
    await stillServing();
    for (const kiosk of kiosks) {
      const hello = await kiosk.waitFor((m) => m.type === "hello");
      const replay = (hello.data as { replay: { count: number; truncated: boolean } }).replay;
      expect(replay.count).toBeLessThanOrEqual(200);
      expect(replay.count).toBeGreaterThan(0);
      expect(replay.truncated).toBe(true);
      await eventually(
        () => (kiosk.messages.length >= 1 + replay.count ? true : undefined),
        15_000,
      );
      const seqs = kiosk.messages.slice(1).map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs[0]).toBeGreaterThan(before);
    }
    await Promise.all(kiosks.map((kiosk) => kiosk.close()));
  });

  it("closes an MQTT connection that announces a 256 MB packet before buffering it, before and after login", async () => {
    const rssBefore = rssMb(gateway);
    const sockets = Array.from({ length: 8 }, () => {
      const socket = connect(gateway.mqttPort, "127.0.0.1");
      // A CONNECT whose remaining length says 256 MB, then a trickle of its body.
      socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
      const trickle = setInterval(() => socket.write(Buffer.alloc(1024)), 10);
      socket.on("error", () => {});
      return new Promise<void>((resolve) =>
        socket.once("close", () => {
          clearInterval(trickle);
          resolve();
        }),
      );
    });
    await Promise.all(sockets);
    // A logged-in device's 2 MB publish: its connection is closed, nothing acknowledged.
    const big = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
    big.on("error", () => {});
    const closed = new Promise<string>((resolve) => big.once("close", () => resolve("closed")));
    const outcome = await Promise.race([
      publishQos1(big, deviceTopic("thermo-1", "temperature"), {
        temp_c: 36.6,
        msg_id: "x".repeat(2 * 1024 * 1024),
      }).then(
        () => "acknowledged",
        () => "closed",
      ),
      closed,
    ]);
    big.end(true);
    expect(outcome).toBe("closed");
    const refused = await metricLines("checkpoint_mqtt_refused_total");
    expect(refused).toContain('reason="packet_too_large"');
    expect(rssMb(gateway) - rssBefore).toBeLessThan(64);
    await stillServing();
  });

  it("refuses MQTT connections past the per-address bound, and serves devices when they are gone", async () => {
    // 101 connections from one address that never log in: the gateway keeps 100 (each has 10 s
    // to log in) and closes the 101st at once.
    let closedByGateway = 0;
    const sockets = await Promise.all(
      Array.from(
        { length: 101 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect({
              port: gateway.mqttPort,
              host: "127.0.0.1",
              localAddress: "127.0.0.40",
            });
            socket.on("error", () => {});
            socket.once("close", () => {
              closedByGateway += 1;
            });
            socket.once("connect", () => resolve(socket));
          }),
      ),
    );
    await eventually(() => (closedByGateway >= 1 ? true : undefined));
    expect(await metricLines("checkpoint_mqtt_refused_total")).toContain('reason="address_limit"');
    expect(closedByGateway).toBe(1);
    for (const socket of sockets) socket.destroy();
    await stillServing();
  });

  it("takes a pass import as text/csv only, within 2 MB, and names an open quote's line", async () => {
    const send = async (body: string | Buffer, type: string) =>
      fetch(`${http}/api/passes/import`, {
        method: "POST",
        headers: { authorization: `Bearer ${await adminToken()}`, "content-type": type },
        body,
      });
    expect((await send("pass_id,holder_name\n1,A\n", "text/plain")).status).toBe(415);
    const open = await send('pass_id,holder_name\n2000000001,"Li\n2000000002,Wang\n', "text/csv");
    expect(open.status).toBe(400);
    expect(((await open.json()) as { error: string }).error).toMatch(
      /^line 2: a quoted field is not closed/,
    );
    const huge = Buffer.alloc(3 * 1024 * 1024, "x");
    expect((await send(huge, "text/csv")).status).toBe(413);
    // 15,000 passes (about 0.4 MB) go in, checked in slices while a device is served.
    const rows = Array.from({ length: 15_000 }, (_, i) => `${3_000_000_000 + i},Holder ${i}`);
    const [imported] = await Promise.all([
      send(`pass_id,holder_name\n${rows.join("\n")}\n`, "text/csv"),
      stillServing(),
    ]);
    expect(((await imported.json()) as { imported: number }).imported).toBe(15_000);
  });

  it("refuses a change or the guard channel by cookie from a foreign origin, and takes the gateway's own", async () => {
    const { body, status } = await loginFrom("127.0.0.9", "admin", ADMIN);
    expect(status).toBe(200);
    const cookie = `cg_session=${(JSON.parse(body) as { token: string }).token}`;
    const reload = (origin: string) =>
      fetch(`${http}/api/users`, {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ username: "evil-guard", password: "evil-pass-1", role: "admin" }),
      });
    expect((await reload("http://evil.example")).status).toBe(403);
    const users = (await (await api("GET", "/api/users")).json()) as { username: string }[];
    expect(JSON.stringify(users)).not.toContain("evil-guard");
    expect((await reload(`http://127.0.0.1:${gateway.httpPort}`)).status).toBe(201);
    await expect(
      LiveClient.connect(`ws://127.0.0.1:${gateway.httpPort}/live/guard`, {
        cookie,
        origin: "http://evil.example",
      }),
    ).rejects.toThrow("HTTP 403");
    const own = await LiveClient.connect(`ws://127.0.0.1:${gateway.httpPort}/live/guard`, {
      cookie,
      origin: `http://127.0.0.1:${gateway.httpPort}`,
    });
    await own.waitFor((m) => m.type === "hello");
    await own.close();
    await stillServing();
  });

  it("turns a storm of unknown codes from one reader into one reader_fault alert", async () => {
    const reader = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "reader-2");
    for (let i = 0; i < 15; i++)
      await publishQos1(reader, deviceTopic("reader-2", "scan"), {
        pass_id: `TRY-${1000 + i}`,
        method: "card",
      });
    await reader.endAsync(true);
    const alerts = (await (await api("GET", "/api/alerts?checkpoint=gate-2&limit=100")).json()) as {
      items: { kind: string; device_id: string | null }[];
    };
    // (The reader going offline after it is another alert, about the device.)
    const about = alerts.items.filter((alert) => alert.kind !== "device_offline").reverse();
    expect(about.map((alert) => alert.kind)).toEqual([
      ...Array.from({ length: 9 }, () => "unknown_pass"),
      "reader_fault",
    ]);
    expect(about.at(-1)?.device_id).toBe("reader-2");
    await stillServing();
  });
});
