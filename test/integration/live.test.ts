import { connect } from "node:net";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_EVENTS } from "../../gateway/events.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  eventually,
  login,
  metricValue,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";

let gw: RunningGateway;
let thermo: MqttClient;
let reader: MqttClient;

beforeAll(async () => {
  gw = await startGateway({ live: { max_buffered_kb: 64 } });
  thermo = await connectDevice(gw.mqttUrl, "thermo-1");
  reader = await connectDevice(gw.mqttUrl, "reader-1");
});
afterAll(async () => {
  await thermo.endAsync(true);
  await reader.endAsync(true);
  await gw.close();
});

const temperature = (temp_c: number, msg_id?: string) =>
  publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c, msg_id });

describe("live push", () => {
  it("greets a kiosk with hello, the current seq and its checkpoint, then pushes its readings", async () => {
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    const hello = await kiosk.waitFor((m) => m.type === "hello");
    expect(hello.data).toMatchObject({
      gateway_id: "gw-test",
      checkpoint: { id: "gate-1", name: "North gate / 北门", mode: "temperature_only" },
      open_alerts: [],
      replay: null,
    });
    await temperature(38.2);
    const reading = await kiosk.waitFor((m) => m.type === "reading");
    expect(reading).toMatchObject({
      type: "reading",
      checkpoint_id: "gate-1",
      data: { temp_c: 38.2, status: "fever" },
    });
    expect(reading.seq).toBeGreaterThan(hello.seq);
    expect(typeof reading.ts).toBe("string");
    await kiosk.close();
  });

  it("sends a kiosk only its own checkpoint's events", async () => {
    const other = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-2`);
    const mine = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    await temperature(36.6, "only-gate-1");
    await mine.waitFor((m) => m.data.msg_id === "only-gate-1");
    const thermo2 = await connectDevice(gw.mqttUrl, "thermo-2");
    await publishQos1(thermo2, deviceTopic("thermo-2", "temperature"), {
      temp_c: 36.6,
      msg_id: "only-gate-2",
    });
    await other.waitFor((m) => m.data.msg_id === "only-gate-2");
    expect(other.messages.some((m) => m.data.msg_id === "only-gate-1")).toBe(false);
    expect(mine.messages.some((m) => m.data.msg_id === "only-gate-2")).toBe(false);
    await thermo2.endAsync(true);
    await Promise.all([other.close(), mine.close()]);
  });

  it("masks the pass id on the kiosk channel and shows it whole on the guard channel", async () => {
    const token = await login(gw.httpUrl);
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    const guard = await LiveClient.connect(`${gw.wsUrl}/live/guard`, {
      authorization: `Bearer ${token}`,
    });
    await publishQos1(reader, deviceTopic("reader-1", "scan"), {
      pass_id: "0012345678",
      method: "card",
    });
    expect((await kiosk.waitFor((m) => m.type === "scan")).data.pass_id).toBe("00****5678");
    expect((await guard.waitFor((m) => m.type === "scan")).data.pass_id).toBe("0012345678");
    await Promise.all([kiosk.close(), guard.close()]);
  });

  it("refuses the guard channel without a login, and with a bad token", async () => {
    await expect(LiveClient.connect(`${gw.wsUrl}/live/guard`)).rejects.toThrow("HTTP 401");
    await expect(
      LiveClient.connect(`${gw.wsUrl}/live/guard`, { authorization: "Bearer forged" }),
    ).rejects.toThrow("HTTP 401");
  });

  it("accepts the session cookie on the guard channel", async () => {
    const response = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "admin-test-pass" }),
    });
    const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^cg_session=/);
    const guard = await LiveClient.connect(`${gw.wsUrl}/live/guard`, { cookie });
    await guard.waitFor((m) => m.type === "hello");
    await guard.close();
  });

  it("refuses a kiosk without a checkpoint or with an unknown one, and a bad since", async () => {
    await expect(LiveClient.connect(`${gw.wsUrl}/live`)).rejects.toThrow("HTTP 400");
    await expect(LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-9`)).rejects.toThrow(
      "HTTP 404",
    );
    await expect(LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1&since=-3`)).rejects.toThrow(
      "HTTP 400",
    );
  });

  it("replays every missed event in order to a kiosk that resumes with since=", async () => {
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    await temperature(36.5, "before-drop");
    const seen = await kiosk.waitFor((m) => m.data.msg_id === "before-drop");
    // At a temperature_only checkpoint every reading is also a passage, right after it.
    await kiosk.waitFor((m) => m.type === "passage" && m.data.reading_id === seen.data.id);
    const lastSeq = Math.max(...kiosk.messages.map((m) => m.seq));
    await kiosk.close();
    const missed = [36.1, 38.4, 34.2, 36.8];
    for (const [i, t] of missed.entries()) await temperature(t, `missed-${i}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resumed = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1&since=${lastSeq}`);
    await resumed.waitFor((m) => m.data.msg_id === "missed-3");
    const [hello, ...rest] = resumed.messages;
    expect(hello?.type).toBe("hello");
    // 4 readings, their 4 passages, and the fever's alert.
    expect(hello?.data.replay).toEqual({ since: lastSeq, count: 9, truncated: false });
    expect(rest.filter((m) => m.type === "alert").map((m) => m.data.kind)).toEqual(["fever"]);
    const readings = rest.filter((m) => m.type === "reading");
    expect(readings.map((m) => m.data.msg_id)).toEqual([
      "missed-0",
      "missed-1",
      "missed-2",
      "missed-3",
    ]);
    expect(readings.map((m) => m.data.status)).toEqual(["normal", "fever", "low", "normal"]);
    const passages = rest.filter((m) => m.type === "passage");
    expect(passages.map((m) => m.data.reading_id)).toEqual(readings.map((m) => m.data.id));
    expect(passages.map((m) => m.data.decision)).toEqual(["allow", "deny", "deny", "allow"]);
    const seqs = rest.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // And it carries on live after the replay.
    await temperature(36.7, "after-resume");
    await resumed.waitFor((m) => m.data.msg_id === "after-resume");
    await resumed.close();
  });

  it("drops a client that stops reading, and the others get every event", async () => {
    // A raw socket that completes the WebSocket handshake and then never reads.
    const port = gw.gateway.httpPort;
    const stalled = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => stalled.once("connect", () => resolve()));
    stalled.write(
      "GET /live?checkpoint=gate-1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await new Promise<void>((resolve) => stalled.once("data", () => resolve()));
    stalled.pause();
    const healthy = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    // A steady stream in batches of 500, as devices would send it: the healthy client reads
    // each batch (the next is sent once it has: it shares this process with the gateway), the
    // stalled one's backlog grows past the 64 KiB bound.
    const burst = 40_000;
    let received = 0;
    healthy.ws.on("message", () => {
      received += 1;
    });
    for (let i = 0; i < burst; i++) {
      gw.gateway.ingest.submitReading(
        {
          device_id: "thermo-1",
          raw_c: 36.5,
          ambient_c: null,
          ts_ms: Date.now(),
          msg_id: `burst-${i}`,
        },
        () => {},
      );
      // Each reading is two messages (the reading and its passage at this temperature_only gate).
      if (i % 500 === 499)
        await eventually(() => (received >= 2 * (i + 1) ? true : undefined), 15_000);
    }
    await eventually(
      async () =>
        (await metricValue(gw.httpUrl, "checkpoint_ws_dropped_total", { reason: "slow" })) >= 1
          ? true
          : undefined,
      15_000,
    );
    await healthy.waitFor((m) => m.data.msg_id === `burst-${burst - 1}`, 15_000);
    expect(healthy.messages.filter((m) => String(m.data.msg_id).startsWith("burst-"))).toHaveLength(
      burst,
    );
    stalled.destroy();
    await healthy.close();
  });

  it("keeps acknowledging and pushing when a bus listener throws, and counts the failures", async () => {
    const guard = await LiveClient.connect(`${gw.wsUrl}/live/guard`, {
      authorization: `Bearer ${await login(gw.httpUrl)}`,
    });
    await guard.waitFor((m) => m.type === "hello");
    const failuresBefore = await metricValue(gw.httpUrl, "checkpoint_bus_listener_errors_total", {
      listener: "broken",
    });
    gw.gateway.bus.subscribe(ALL_EVENTS, "broken", () => {
      throw new Error("a listener's bug");
    });
    const later: number[] = [];
    gw.gateway.bus.subscribe(ALL_EVENTS, "after the broken one", (event) => {
      later.push(event.seq);
    });
    try {
      // The PUBACK arrives (publishQos1 resolves), the guard gets the reading, the listener
      // subscribed after the broken one got every event, and the process is still here.
      await temperature(36.9, "after-broken-listener");
      const reading = await guard.waitFor(
        (m) =>
          m.type === "reading" && (m.data as { msg_id: string }).msg_id === "after-broken-listener",
      );
      await eventually(() => (later.length >= 2 ? true : undefined));
      expect(later[0]).toBe(reading.seq);
      expect(
        (await metricValue(gw.httpUrl, "checkpoint_bus_listener_errors_total", {
          listener: "broken",
        })) - failuresBefore,
      ).toBe(later.length);
      await temperature(36.8);
    } finally {
      gw.gateway.bus.removeListeners("broken");
      gw.gateway.bus.removeListeners("after the broken one");
      await guard.close();
    }
  });

  it("replays a guard page by page and sends what happened meanwhile after it, in order", async () => {
    const start = gw.gateway.store.journal.currentSeq;
    for (let i = 0; i < 700; i++)
      gw.gateway.ingest.submitReading(
        {
          device_id: "thermo-1",
          raw_c: 36.4,
          ambient_c: null,
          ts_ms: Date.now(),
          msg_id: `page-${i}`,
        },
        () => {},
      );
    gw.gateway.ingest.flush();
    const guard = await LiveClient.connect(`${gw.wsUrl}/live/guard?since=${start}`, {
      authorization: `Bearer ${await login(gw.httpUrl)}`,
    });
    // Live readings while the replay (1,400 events: 7 pages) is still being sent.
    await temperature(36.7, "during-replay-1");
    await temperature(36.8, "during-replay-2");
    const last = await guard.waitFor((m) => m.data.msg_id === "during-replay-2");
    const hello = guard.messages[0] as unknown as { data: { replay: { count: number } } };
    // The 700 readings and their passages (and whatever else happened since, e.g. a status).
    expect(hello.data.replay.count).toBeGreaterThanOrEqual(1400);
    expect(guard.messages.filter((m) => String(m.data.msg_id).startsWith("page-"))).toHaveLength(
      700,
    );
    const seqs = guard.messages.slice(1).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.filter((seq) => seq > start)).toHaveLength(seqs.length);
    // The live readings came after the whole replay.
    const firstLive = guard.messages.findIndex((m) => m.data.msg_id === "during-replay-1");
    expect(firstLive).toBeGreaterThan(hello.data.replay.count);
    expect(seqs).toContain(last.seq);
    await guard.close();
  });
});
