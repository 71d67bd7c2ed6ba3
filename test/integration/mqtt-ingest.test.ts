import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  eventually,
  login,
  metricValue,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";

let gw: RunningGateway;
let token: string;
const devices: MqttClient[] = [];

beforeAll(async () => {
  gw = await startGateway();
  token = await login(gw.httpUrl);
});
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.endAsync(true)));
});
afterAll(async () => {
  await gw.close();
});

async function device(id: string, password?: string) {
  const client = await connectDevice(gw.mqttUrl, id, password);
  devices.push(client);
  return client;
}

async function readings(query = "") {
  const response = await fetch(`${gw.httpUrl}/api/readings?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as {
    items: Record<string, unknown>[];
    next_cursor: string | null;
  };
}

describe("MQTT devices on the embedded broker", () => {
  it("refuses anonymous clients, unknown devices and wrong passwords", async () => {
    await expect(connectDevice(gw.mqttUrl, undefined, undefined)).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connectDevice(gw.mqttUrl, "ghost", "whatever-pass")).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connectDevice(gw.mqttUrl, "thermo-1", "wrong-password")).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(
      await metricValue(gw.httpUrl, "checkpoint_mqtt_refused_total", { reason: "bad_credentials" }),
    ).toBe(3);
  });

  it("stores a QoS 1 reading, screened, and serves it from /api/readings", async () => {
    const thermo = await device("thermo-2");
    await publishQos1(thermo, deviceTopic("thermo-2", "temperature"), {
      temp_c: 37.1,
      ambient_c: 20.5,
      msg_id: "a-1",
    });
    const { items } = await readings("device=thermo-2");
    // thermo-2 has offset_c 0.3: 37.1 + 0.3 = 37.4, a fever.
    expect(items[0]).toMatchObject({
      device_id: "thermo-2",
      checkpoint_id: "gate-2",
      raw_c: 37.1,
      temp_c: 37.4,
      ambient_c: 20.5,
      status: "fever",
      msg_id: "a-1",
    });
    expect(items[0]?.id).toBe(`gw-test:${items[0]?.seq}`);
  });

  it("closes a device that publishes under another device's topic and stores nothing of it", async () => {
    const thermo = await device("thermo-1");
    const before = (await readings("device=thermo-2")).items.length;
    const closed = new Promise<void>((resolve) => thermo.once("close", () => resolve()));
    thermo.publish(deviceTopic("thermo-2", "temperature"), JSON.stringify({ temp_c: 36.6 }), {
      qos: 1,
    });
    await closed;
    expect((await readings("device=thermo-2")).items.length).toBe(before);
    expect(
      await metricValue(gw.httpUrl, "checkpoint_mqtt_refused_total", { reason: "foreign_topic" }),
    ).toBe(1);
  });

  it("refuses a subscription to other devices' topics but allows its own command topic", async () => {
    const thermo = await device("thermo-1");
    for (const foreign of [
      deviceTopic("thermo-2", "command"),
      "checkpoint/devices/#",
      "checkpoint/+/thermo-1/command",
    ]) {
      await expect(thermo.subscribeAsync(foreign, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    }
    const granted = await thermo.subscribeAsync(deviceTopic("thermo-1", "command"), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    expect(
      await metricValue(gw.httpUrl, "checkpoint_mqtt_refused_total", {
        reason: "foreign_subscription",
      }),
    ).toBe(3);
    expect(thermo.connected).toBe(true);
  });

  it("stores a repeated msg_id once and acknowledges both", async () => {
    const thermo = await device("thermo-1");
    const payload = { temp_c: 36.4, msg_id: "dup-7" };
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), payload);
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), payload);
    const stored = (await readings("device=thermo-1&limit=1000")).items.filter(
      (r) => r.msg_id === "dup-7",
    );
    expect(stored).toHaveLength(1);
    expect(
      await metricValue(gw.httpUrl, "checkpoint_duplicate_messages_total", { device: "thermo-1" }),
    ).toBe(1);
  });

  it("counts malformed payloads per device, keeps the device connected and takes its next good reading", async () => {
    const thermo = await device("thermo-1");
    const topic = deviceTopic("thermo-1", "temperature");
    await publishQos1(thermo, topic, "not json {");
    await publishQos1(thermo, topic, { temp_c: "hot" });
    await publishQos1(thermo, topic, { ambient_c: 20 });
    await publishQos1(thermo, topic, Buffer.alloc(0).toString());
    expect(thermo.connected).toBe(true);
    await publishQos1(thermo, topic, { temp_c: 36.9, msg_id: "after-bad" });
    expect((await readings("device=thermo-1")).items[0]).toMatchObject({
      msg_id: "after-bad",
      temp_c: 36.9,
    });
    expect(
      await metricValue(gw.httpUrl, "checkpoint_bad_payloads_total", {
        device: "thermo-1",
        reason: "not_json",
      }),
    ).toBe(2);
    expect(
      await metricValue(gw.httpUrl, "checkpoint_bad_payloads_total", {
        device: "thermo-1",
        reason: "invalid",
      }),
    ).toBe(2);
  });

  it("drops a temperature from a pass reader as a bad payload", async () => {
    const reader = await device("reader-1");
    await publishQos1(reader, deviceTopic("reader-1", "temperature"), { temp_c: 36.6 });
    expect(reader.connected).toBe(true);
    expect(
      await metricValue(gw.httpUrl, "checkpoint_bad_payloads_total", {
        device: "reader-1",
        reason: "wrong_kind",
      }),
    ).toBe(1);
  });

  it("reports a device online while connected and offline after its last will", async () => {
    const health = async () =>
      (
        (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
          devices: { id: string; online: boolean; last_seen: string | null }[];
        }
      ).devices.find((d) => d.id === "thermo-2");
    const thermo = await connectDevice(gw.mqttUrl, "thermo-2", undefined, {
      will: {
        topic: deviceTopic("thermo-2", "status"),
        payload: Buffer.from(JSON.stringify({ online: false })),
        qos: 1,
        retain: false,
      },
    });
    await eventually(async () => ((await health())?.online ? true : undefined));
    expect((await health())?.last_seen).not.toBeNull();
    // Dropping the socket without DISCONNECT makes the broker publish the will.
    thermo.stream.destroy();
    await eventually(async () => ((await health())?.online === false ? true : undefined));
    thermo.end(true);
  });

  it("has a health report with the fields of docs/contract.md#http-api", async () => {
    const body = (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      status: "ok",
      db: { ok: true },
      broker: { mode: "embedded" },
      upstream: { enabled: false, connected: false, queue_depth: 0 },
    });
    expect(body.devices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: "thermo-1",
          kind: "thermometer",
          checkpoint_id: "gate-1",
          transport: "mqtt",
        }),
      ]),
    );
  });
});
