import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { eventually, login, type RunningGateway, startGateway } from "../helpers/gateway.js";

/**
 * Home Assistant as it is: it logs in to the gateway's broker with an account, sends its birth
 * message, subscribes to the discovery prefix and reads the states. Payloads are held to the keys
 * Home Assistant documents for MQTT discovery (sensor, binary_sensor, tag; the device block).
 */
const DOCUMENTED: Record<string, string[]> = {
  sensor: [
    "name",
    "unique_id",
    "state_topic",
    "device_class",
    "unit_of_measurement",
    "state_class",
    "suggested_display_precision",
    "availability_topic",
    "value_template",
    "device",
  ],
  binary_sensor: [
    "name",
    "unique_id",
    "state_topic",
    "device_class",
    "payload_on",
    "payload_off",
    "availability_topic",
    "value_template",
    "device",
  ],
  tag: ["topic", "value_template", "device"],
};
const REQUIRED: Record<string, string[]> = {
  sensor: ["state_topic", "unique_id"],
  binary_sensor: ["state_topic", "unique_id"],
  tag: ["topic", "device"],
};
const DEVICE_KEYS = [
  "identifiers",
  "name",
  "manufacturer",
  "model",
  "sw_version",
  "via_device",
  "suggested_area",
];
const DEVICE_CLASSES: Record<string, string[]> = {
  sensor: ["temperature"],
  binary_sensor: ["heat", "connectivity"],
};

let gw: RunningGateway;
let ha: MqttClient;
const seen: { topic: string; payload: string; retain: boolean }[] = [];
const latest = (topic: string) => seen.filter((m) => m.topic === topic).at(-1)?.payload;
const configs = () => seen.filter((m) => m.topic.endsWith("/config"));
const state = (path: string) => `checkpoint/gateway/gw-test/ha/${path}`;

beforeAll(async () => {
  gw = await startGateway({ home_assistant: { enabled: true } });
  await gw.gateway.store.accounts.create("homeassistant", "ha-password-1", "guard", Date.now());
  ha = await mqtt.connectAsync(gw.mqttUrl, {
    username: "homeassistant",
    password: "ha-password-1",
    clientId: "home-assistant",
    will: { topic: "homeassistant/status", payload: Buffer.from("offline"), qos: 1, retain: false },
  });
  ha.on("message", (topic, payload, packet) =>
    seen.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await ha.subscribeAsync(["homeassistant/#", "checkpoint/gateway/gw-test/ha/#"], { qos: 1 });
});
let closed = false;
afterAll(async () => {
  await ha?.endAsync(true);
  if (!closed) await gw?.close();
});

describe("Home Assistant MQTT discovery", () => {
  it("announces every thermometer, reader and checkpoint, retained, with documented keys only", async () => {
    await eventually(() => (configs().length >= 10 ? true : undefined));
    const byTopic = new Map(configs().map((m) => [m.topic, m]));
    expect([...byTopic.keys()].sort()).toEqual(
      [
        "homeassistant/binary_sensor/gw-test/gate-1_fever/config",
        "homeassistant/binary_sensor/gw-test/gate-2_fever/config",
        "homeassistant/binary_sensor/gw-test/gateway_online/config",
        "homeassistant/sensor/gw-test/gate-1_fevers_today/config",
        "homeassistant/sensor/gw-test/gate-1_passages_today/config",
        "homeassistant/sensor/gw-test/gate-2_fevers_today/config",
        "homeassistant/sensor/gw-test/gate-2_passages_today/config",
        "homeassistant/sensor/gw-test/thermo-1_temperature/config",
        "homeassistant/sensor/gw-test/thermo-2_temperature/config",
        "homeassistant/tag/gw-test/reader-1_tag/config",
      ].sort(),
    );
    const uniqueIds = new Set<string>();
    for (const { topic, payload, retain } of byTopic.values()) {
      const component = topic.split("/")[1] as string;
      const body = JSON.parse(payload) as Record<string, unknown>;
      expect(retain, topic).toBe(true);
      expect(
        Object.keys(body).filter((k) => !DOCUMENTED[component]?.includes(k)),
        topic,
      ).toEqual([]);
      for (const key of REQUIRED[component] ?? [])
        expect(body[key], `${topic} ${key}`).toBeDefined();
      const device = body.device as Record<string, unknown>;
      expect(
        Object.keys(device).filter((k) => !DEVICE_KEYS.includes(k)),
        topic,
      ).toEqual([]);
      expect((device.identifiers as string[]).length).toBeGreaterThan(0);
      if (body.device_class !== undefined)
        expect(DEVICE_CLASSES[component], topic).toContain(body.device_class);
      if (body.unique_id) {
        expect(uniqueIds.has(body.unique_id as string), topic).toBe(false);
        uniqueIds.add(body.unique_id as string);
      }
    }
    const thermometer = JSON.parse(
      byTopic.get("homeassistant/sensor/gw-test/thermo-1_temperature/config")?.payload ?? "{}",
    );
    expect(thermometer).toMatchObject({
      device_class: "temperature",
      unit_of_measurement: "°C",
      state_topic: state("thermo-1/temperature"),
      availability_topic: state("availability"),
      device: { suggested_area: "北门 North gate" },
    });
    await eventually(() => (latest(state("availability")) === "online" ? true : undefined));
    await eventually(() => (latest(state("gate-1/fever")) === "OFF" ? true : undefined));
  });

  it("keeps the states current: a temperature, a fever on and off, a tag, today's counts", async () => {
    const thermo = await connectDevice(gw.mqttUrl, "thermo-1");
    const reader = await connectDevice(gw.mqttUrl, "reader-1");
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: 36.64 });
    await eventually(() => (latest(state("thermo-1/temperature")) === "36.6" ? true : undefined));
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: 38.5 });
    await eventually(() => (latest(state("gate-1/fever")) === "ON" ? true : undefined));
    await eventually(() => (Number(latest(state("gate-1/fevers_today"))) >= 1 ? true : undefined));
    await eventually(() =>
      Number(latest(state("gate-1/passages_today"))) >= 2 ? true : undefined,
    );

    const token = await login(gw.httpUrl);
    const fever = gw.gateway.store.alerts.active("gate-1").find((a) => a.kind === "fever");
    const resolved = await fetch(`${gw.httpUrl}/api/alerts/${fever?.alert_id}/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ disposition: "released", confirm_temp_c: 36.8 }),
    });
    expect(resolved.status).toBe(200);
    await eventually(() => (latest(state("gate-1/fever")) === "OFF" ? true : undefined));

    await publishQos1(reader, deviceTopic("reader-1", "scan"), {
      pass_id: "0012345678",
      method: "card",
    });
    await eventually(() => (latest(state("reader-1/tag")) === "0012345678" ? true : undefined));
    await thermo.endAsync(true);
    await reader.endAsync(true);
  });

  it("announces again when Home Assistant says it has started, and lets it read nothing else", async () => {
    const before = configs().length;
    await ha.publishAsync("homeassistant/status", "online", { qos: 1 });
    await eventually(() => (configs().length >= before + 10 ? true : undefined));
    // Refused in the SUBACK (0x80): mqtt.js rejects.
    await expect(ha.subscribeAsync("checkpoint/devices/#", { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    // Anything else it publishes is refused (the broker closes its connection).
    const closed = new Promise<void>((resolve) => ha.once("close", () => resolve()));
    ha.publish("checkpoint/devices/thermo-1/temperature", JSON.stringify({ temp_c: 36.5 }), {
      qos: 1,
    });
    await closed;
  });

  it("says the gateway is offline when it stops", async () => {
    const watcher = await mqtt.connectAsync(gw.mqttUrl, {
      username: "homeassistant",
      password: "ha-password-1",
      clientId: "home-assistant-watcher",
    });
    const availability: string[] = [];
    watcher.on("message", (_topic, payload) => availability.push(payload.toString()));
    await watcher.subscribeAsync(state("availability"), { qos: 1 });
    await eventually(() => (availability.includes("online") ? true : undefined));
    const stopping = gw.close();
    closed = true;
    await eventually(() => (availability.includes("offline") ? true : undefined));
    await stopping;
    await watcher.endAsync(true);
  });
});
