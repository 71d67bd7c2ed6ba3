import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic, gatewayEventTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  ADMIN_PASSWORD,
  eventually,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";

let gw: RunningGateway;
let thermo: MqttClient;
const clients: MqttClient[] = [];

beforeAll(async () => {
  gw = await startGateway();
  await gw.gateway.store.accounts.create("integration", "integration-pass", "guard", Date.now());
  await gw.gateway.store.accounts.create("locked", "locked-pass-1", "guard", Date.now());
  thermo = await connectDevice(gw.mqttUrl, "thermo-1");
  clients.push(thermo);
});
afterAll(async () => {
  for (const client of clients) await client.endAsync(true);
  await gw.close();
});

const integration = async (username = "integration", password = "integration-pass") => {
  const client = await connectDevice(gw.mqttUrl, username, password);
  clients.push(client);
  return client;
};

describe("the gateway's own events on MQTT (docs/contract.md#devices-over-mqtt)", () => {
  it("sends every stored event to an integration logged in with an account, by kind, not retained", async () => {
    const listener = await integration();
    const granted = await listener.subscribeAsync(gatewayEventTopic("gw-test", "#"), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    const received: { topic: string; id: string; retain: boolean }[] = [];
    listener.on("message", (topic, payload, packet) =>
      received.push({
        topic,
        id: (JSON.parse(payload.toString()) as { id: string }).id,
        retain: packet.retain,
      }),
    );
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 38.6,
      msg_id: "ev-1",
    });
    await eventually(() => (received.length >= 3 ? true : undefined));
    const reading = gw.gateway.store.readings.page({ limit: 1 }).items[0];
    const passage = gw.gateway.store.passages.page({ limit: 1 }).items[0];
    const alert = gw.gateway.store.alerts.page({ limit: 1 }).items[0];
    // The fever's alert is stored before its passage, and arrives so.
    expect(received).toEqual([
      { topic: "checkpoint/gateway/gw-test/events/reading", id: reading?.id, retain: false },
      { topic: "checkpoint/gateway/gw-test/events/alert", id: alert?.id, retain: false },
      { topic: "checkpoint/gateway/gw-test/events/passage", id: passage?.id, retain: false },
    ]);
  });

  it("lets an integration read, never publish, nor subscribe to the devices", async () => {
    const listener = await integration();
    for (const foreign of ["checkpoint/devices/#", deviceTopic("thermo-1", "command"), "#"])
      await expect(listener.subscribeAsync(foreign, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const before = gw.gateway.store.readings.page({ limit: 100 }).items.length;
    const closed = new Promise<void>((resolve) => listener.once("close", () => resolve()));
    listener.publish(deviceTopic("thermo-1", "temperature"), JSON.stringify({ temp_c: 36.6 }), {
      qos: 1,
    });
    await closed;
    expect(gw.gateway.store.readings.page({ limit: 100 }).items.length).toBe(before);
  });

  it("refuses a wrong password, audits it, and throttles the account over MQTT and HTTP alike", async () => {
    for (let i = 0; i < 5; i++)
      await expect(integration("locked", "wrong-password")).rejects.toThrow(
        /Bad username or password|Not authorized/i,
      );
    // The right password now waits out the throttle, here and at the HTTP login.
    await expect(integration("locked", "locked-pass-1")).rejects.toThrow();
    const http = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "locked", password: "locked-pass-1" }),
    });
    expect(http.status).toBe(429);
    const login = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const audit = (await (
      await fetch(`${gw.httpUrl}/api/audit?actor=locked`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { items: { action: string; details: { via?: string } | null }[] };
    // Failures are aggregated: the first at once, the next four in one row with their count
    // within a minute (or at stop); see failure-log.ts.
    expect(audit.items.map((a) => [a.action, a.details?.via ?? "http"])).toEqual([
      ["login_throttled", "http"],
      ["login_throttled", "mqtt"],
      ["login_failed", "mqtt"],
    ]);
  });
});
