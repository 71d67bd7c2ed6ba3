import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  DEVICE_PASSWORD,
  eventually,
  login,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";

let gw: RunningGateway;
let auth: Record<string, string>;
let guardLive: LiveClient;
let thermo: MqttClient;

beforeAll(async () => {
  gw = await startGateway({
    checkpoints: [
      { id: "gate-1", name: "North gate / 北门", mode: "temperature_only" },
      { id: "gate-p", name: "East gate / 东门", mode: "pass_and_temperature", direction: "both" },
    ],
    devices: [
      { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      { id: "thermo-p", kind: "thermometer", checkpoint: "gate-p", password: DEVICE_PASSWORD },
      { id: "reader-p", kind: "pass_reader", checkpoint: "gate-p", password: DEVICE_PASSWORD },
    ],
  });
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  const token = await login(gw.httpUrl, "guard1", "guard-pass-1");
  auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  guardLive = await LiveClient.connect(`${gw.wsUrl}/live/guard`, {
    authorization: `Bearer ${token}`,
  });
  thermo = await connectDevice(gw.mqttUrl, "thermo-1");
});
afterAll(async () => {
  await thermo.endAsync(true);
  await guardLive.close();
  await gw.close();
});

const post = (path: string, body?: unknown) =>
  fetch(`${gw.httpUrl}${path}`, {
    method: "POST",
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("alerts", () => {
  it("raises a fever alert as soon as the reading is stored, before its passage", async () => {
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 38.6,
      msg_id: "hot-1",
    });
    const reading = await guardLive.waitFor(
      (m) => m.type === "reading" && m.data.msg_id === "hot-1",
    );
    const alert = await guardLive.waitFor(
      (m) => m.type === "alert" && m.data.reading_id === reading.data.id,
    );
    const passage = await guardLive.waitFor(
      (m) => m.type === "passage" && m.data.reading_id === reading.data.id,
    );
    expect(alert.seq).toBeLessThan(passage.seq);
    expect(alert.data).toMatchObject({
      kind: "fever",
      state: "open",
      checkpoint_id: "gate-1",
      device_id: "thermo-1",
      temp_c: 38.6,
    });
    expect(alert.data.id).toBe(`gw-test:${alert.seq}`);

    // The guard sees it, re-measures 36.8 and releases the person; the kiosk hears of each step.
    const acked = await post(`/api/alerts/${alert.data.id}/ack`);
    expect(await acked.json()).toMatchObject({ state: "acknowledged", acknowledged_by: "guard1" });
    const resolved = await post(`/api/alerts/${alert.data.id}/resolve`, {
      disposition: "released",
      confirm_temp_c: 36.8,
      note: "re-measured after rest",
    });
    expect(await resolved.json()).toMatchObject({
      state: "resolved",
      resolved_by: "guard1",
      disposition: "released",
      confirm_temp_c: 36.8,
    });
    const update = await kiosk.waitFor(
      (m) =>
        m.type === "alert_update" &&
        m.data.alert_id === alert.data.id &&
        m.data.state === "resolved",
    );
    expect(update.data).toMatchObject({ kind: "fever", disposition: "released" });
    // The change is an event of its own (docs/contract.md#identity-and-order); a kiosk never sees who handled it or the note.
    expect(update.data.id).toBe(`gw-test:${update.seq}`);
    expect(update.data.id).not.toBe(alert.data.id);
    for (const guardOnly of ["resolved_by", "acknowledged_by", "note", "confirm_temp_c"])
      expect(update.data).not.toHaveProperty(guardOnly);
    expect(
      (await post(`/api/alerts/${alert.data.id}/resolve`, { disposition: "released" })).status,
    ).toBe(409);
    await kiosk.close();

    // The passage's detail: its reading, no scan (a temperature-only gate), the fever and each step.
    const detail = (await (
      await fetch(`${gw.httpUrl}/api/passages/${passage.data.id}`, { headers: auth })
    ).json()) as {
      passage: { id: string };
      reading: { msg_id: string };
      scan: null;
      alerts: { id: string; kind: string; history: { change: string; state: string }[] }[];
    };
    expect(detail.passage.id).toBe(passage.data.id);
    expect(detail.reading.msg_id).toBe("hot-1");
    expect(detail.scan).toBeNull();
    expect(detail.alerts.map((a) => [a.id, a.kind])).toEqual([[alert.data.id, "fever"]]);
    expect(detail.alerts[0]?.history.map((h) => [h.change, h.state])).toEqual([
      ["alert", "open"],
      ["alert_update", "acknowledged"],
      ["alert_update", "resolved"],
    ]);
    const missing = await fetch(`${gw.httpUrl}/api/passages/gw-test:999999`, { headers: auth });
    expect(missing.status).toBe(404);
    expect((await fetch(`${gw.httpUrl}/api/passages/x;1`, { headers: auth })).status).toBe(404);
  });

  it("refuses unknown alerts and bad outcomes", async () => {
    expect((await post("/api/alerts/gw-test:999999/ack")).status).toBe(404);
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 39.1,
      msg_id: "hot-2",
    });
    const alert = await guardLive.waitFor((m) => m.type === "alert" && m.data.temp_c === 39.1);
    const bad = await post(`/api/alerts/${alert.data.id}/resolve`, {
      disposition: "went home",
      confirm_temp_c: 52,
    });
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain("body.disposition");
    expect(error).toContain("body.confirm_temp_c");
  });

  it("releases a fever only on a normal confirming temperature, and offers each kind what fits it", async () => {
    const [open] = (
      (await (
        await fetch(`${gw.httpUrl}/api/alerts?kind=fever&state=open`, { headers: auth })
      ).json()) as {
        items: { id: string }[];
      }
    ).items;
    const resolve = (body: object) => post(`/api/alerts/${open?.id}/resolve`, body);
    for (const [body, error] of [
      [{ disposition: "released" }, "a fever alert needs the confirming temperature"],
      [
        { disposition: "released", confirm_temp_c: 38.5 },
        "released needs a normal confirming temperature; 38.5 °C is not",
      ],
      [
        { disposition: "false_alarm", confirm_temp_c: 37.4 },
        "false_alarm needs a normal confirming temperature; 37.4 °C is not",
      ],
      [{ disposition: "referred" }, "a fever alert needs the confirming temperature"],
      [
        { disposition: "fixed", confirm_temp_c: 36.5 },
        "a fever alert is resolved as released, referred, refused, false_alarm, not fixed",
      ],
    ] as const) {
      const refused = await resolve(body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(((await refused.json()) as { error: string }).error).toBe(error);
    }
    // Nothing was changed by any of them.
    const after = (await (
      await fetch(`${gw.httpUrl}/api/alerts?kind=fever&state=open`, { headers: auth })
    ).json()) as { items: { id: string }[] };
    expect(after.items.map((a) => a.id)).toEqual([open?.id]);
  });

  it("lists alerts with filters, newest first", async () => {
    const response = await fetch(`${gw.httpUrl}/api/alerts?kind=fever&state=open`, {
      headers: auth,
    });
    const { items } = (await response.json()) as {
      items: { kind: string; state: string; temp_c: number }[];
    };
    expect(items.map((a) => [a.kind, a.state, a.temp_c])).toEqual([["fever", "open", 39.1]]);
    expect((await fetch(`${gw.httpUrl}/api/alerts`)).status).toBe(401);
  });

  it("gives a guard who connects the alerts not yet resolved", async () => {
    const token = await login(gw.httpUrl, "guard1", "guard-pass-1");
    const late = await LiveClient.connect(`${gw.wsUrl}/live/guard`, {
      authorization: `Bearer ${token}`,
    });
    const hello = await late.waitFor((m) => m.type === "hello");
    expect((hello.data.open_alerts as { temp_c: number }[]).map((a) => a.temp_c)).toContain(39.1);
    await late.close();
  });

  it("raises low_retest after three lows in a row at a checkpoint without passes", async () => {
    for (const t of [34.1, 34.3, 34.2])
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: t });
    const alert = await guardLive.waitFor(
      (m) => m.type === "alert" && m.data.kind === "low_retest",
    );
    expect(alert.data).toMatchObject({ checkpoint_id: "gate-1", temp_c: 34.2 });
  });

  it("raises a pass alert for a revoked card at a pass-and-temperature gate", async () => {
    gw.gateway.store.passes.create(
      {
        pass_id: "3000000001",
        holder_name: "刘洋",
        unit: "",
        status: "revoked",
        valid_until_ms: null,
        observation_until_ms: null,
      },
      Date.now(),
    );
    const reader = await connectDevice(gw.mqttUrl, "reader-p");
    const thermoP = await connectDevice(gw.mqttUrl, "thermo-p");
    await publishQos1(reader, deviceTopic("reader-p", "scan"), {
      pass_id: "3000000001",
      method: "card",
    });
    await publishQos1(thermoP, deviceTopic("thermo-p", "temperature"), { temp_c: 36.5 });
    const alert = await guardLive.waitFor(
      (m) => m.type === "alert" && m.data.kind === "revoked_pass",
    );
    expect(alert.data).toMatchObject({
      checkpoint_id: "gate-p",
      pass_id: "3000000001",
      state: "open",
    });
    expect(alert.data.passage_id).toMatch(/^gw-test:\d+$/);
    await reader.endAsync(true);
    await thermoP.endAsync(true);
  });

  it("raises device_offline when a device goes away and resolves it when it is back", async () => {
    const reader = await connectDevice(gw.mqttUrl, "reader-p");
    await reader.endAsync(true);
    const offline = await guardLive.waitFor(
      (m) =>
        m.type === "alert" && m.data.kind === "device_offline" && m.data.device_id === "reader-p",
    );
    const again = await connectDevice(gw.mqttUrl, "reader-p");
    const cleared = await guardLive.waitFor(
      (m) => m.type === "alert_update" && m.data.alert_id === offline.data.id,
    );
    expect(cleared.data).toMatchObject({
      state: "resolved",
      resolved_by: "system",
      note: "device back online",
    });
    await again.endAsync(true);
    await eventually(() =>
      guardLive.messages.filter((m) => m.type === "alert" && m.data.device_id === "reader-p")
        .length === 2
        ? true
        : undefined,
    );
  });
});
