import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic, gatewayEventTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  DEVICE_PASSWORD,
  eventually,
  login,
  metricValue,
  type RunningGateway,
  startGateway,
  testConfig,
} from "../helpers/gateway.js";
import { freePort, type Mosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { type GatewayProcess, spawnGateway, stopProcess } from "../helpers/process.js";

const GATEWAY_USER = "checkpoint-gateway";
const GATEWAY_PASSWORD = "gw-devices-pass";
let dir: string;
let broker: Mosquitto;
const clients: MqttClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-external-"));
  broker = await startMosquitto(
    dir,
    {
      [GATEWAY_USER]: GATEWAY_PASSWORD,
      "thermo-1": DEVICE_PASSWORD,
      "thermo-2": DEVICE_PASSWORD,
      integration: "integration-pass",
    },
    "devices",
  );
});
afterAll(async () => {
  for (const client of clients) await client.endAsync(true);
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const brokerUrl = () => `mqtt://127.0.0.1:${broker.port}`;
const external = () => ({
  mode: "external",
  url: brokerUrl(),
  username: GATEWAY_USER,
  password: GATEWAY_PASSWORD,
});
const device = async (id: string, password = DEVICE_PASSWORD) => {
  const client = await connectDevice(brokerUrl(), id, password);
  clients.push(client);
  return client;
};

describe("devices on an external Mosquitto (mqtt.mode: external)", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ mqtt: external() });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("stores and screens what devices publish there, and publishes its events there", async () => {
    const health = (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
      broker: { mode: string; port: number; connected: boolean };
    };
    expect(health.broker).toMatchObject({ mode: "external", port: broker.port, connected: true });
    const listener = await device("integration", "integration-pass");
    await listener.subscribeAsync(gatewayEventTopic("gw-test", "#"), { qos: 1 });
    const events: string[] = [];
    listener.on("message", (topic) => events.push(topic.split("/").at(-1) ?? ""));

    const thermo = await device("thermo-1");
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 38.4,
      msg_id: "x-1",
    });
    const stored = await eventually(() =>
      gw.gateway.store.readings.page({ limit: 10 }).items.find((r) => r.msg_id === "x-1"),
    );
    expect(stored).toMatchObject({ device_id: "thermo-1", temp_c: 38.4, status: "fever" });
    await eventually(() => (events.includes("passage") ? true : undefined));
    expect(events.slice(0, 3)).toEqual(["reading", "alert", "passage"]);
  });

  it("takes an MQTT 5 device through the site's Mosquitto, which speaks it", async () => {
    const thermo = await connectDevice(brokerUrl(), "thermo-2", DEVICE_PASSWORD, {
      protocolVersion: 5,
    });
    clients.push(thermo);
    await publishQos1(thermo, deviceTopic("thermo-2", "temperature"), {
      temp_c: 36.7,
      msg_id: "v5-1",
    });
    const stored = await eventually(() =>
      gw.gateway.store.readings.page({ limit: 20 }).items.find((r) => r.msg_id === "v5-1"),
    );
    expect(stored).toMatchObject({ device_id: "thermo-2", temp_c: 37, status: "normal" });
  });

  it("counts a bad payload, drops it, and goes on with the next message", async () => {
    const thermo = await device("thermo-2");
    await publishQos1(thermo, deviceTopic("thermo-2", "temperature"), "{not json");
    await publishQos1(thermo, deviceTopic("thermo-2", "temperature"), {
      temp_c: 36.4,
      msg_id: "x-2",
    });
    await eventually(() =>
      gw.gateway.store.readings.page({ limit: 10 }).items.find((r) => r.msg_id === "x-2"),
    );
    expect(
      await metricValue(gw.httpUrl, "checkpoint_bad_payloads_total", {
        device: "thermo-2",
        reason: "not_json",
      }),
    ).toBe(1);
  });

  it("stores nothing a device sends under another device's id (the broker's ACL refuses it)", async () => {
    const thermo = await device("thermo-1");
    await publishQos1(thermo, deviceTopic("thermo-2", "temperature"), {
      temp_c: 39.9,
      msg_id: "forged",
    });
    // A marker sent after it, by the right device, arrives; the forged one never does.
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
      temp_c: 36.5,
      msg_id: "after-forged",
    });
    await eventually(() =>
      gw.gateway.store.readings.page({ limit: 20 }).items.find((r) => r.msg_id === "after-forged"),
    );
    expect(
      gw.gateway.store.readings.page({ limit: 20 }).items.some((r) => r.msg_id === "forged"),
    ).toBe(false);
  });
});

describe("an external broker that is down", () => {
  it("does not stop the gateway starting: health says so, and it keeps trying", async () => {
    const gw = await startGateway({
      mqtt: { ...external(), url: `mqtt://127.0.0.1:${await freePort()}` },
    });
    try {
      const health = (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
        status: string;
        broker: { mode: string; connected: boolean };
      };
      expect(health.status).toBe("ok");
      expect(health.broker).toMatchObject({ mode: "external", connected: false });
    } finally {
      await gw.close();
    }
  });
});

describe("a gateway killed while devices publish to the external broker", () => {
  let child: GatewayProcess | undefined;
  afterAll(async () => {
    if (child) await stopProcess(child.child);
  });

  it("loses nothing: the broker keeps the gateway's session and sends the rest when it is back", async () => {
    const { config, dir: gatewayDir } = testConfig({ mqtt: external(), log_level: "info" });
    const spawn = () => spawnGateway(gatewayDir, config as unknown as Record<string, unknown>);
    child = await spawn();
    const thermo = await device("thermo-1");
    const COUNT = 400;
    const sent: Promise<void>[] = [];
    for (let i = 0; i < COUNT; i++) {
      sent.push(
        publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.5,
          msg_id: `kill-${i}`,
        }),
      );
      if (i === 100) {
        // Mid-stream: the gateway dies without a word.
        await stopProcess(child.child, "SIGKILL");
      }
    }
    // Every one was accepted by the broker (PUBACK to the device) while the gateway was dead.
    await Promise.all(sent);
    child = await spawn();
    const url = `http://127.0.0.1:${child.httpPort}`;
    const token = await login(url);
    const count = async () =>
      (
        (await (
          await fetch(`${url}/api/readings?device=thermo-1&limit=1000`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { items: { msg_id: string }[] }
      ).items.filter((r) => r.msg_id.startsWith("kill-"));
    const stored = await eventually(async () => {
      const items = await count();
      return items.length >= COUNT ? items : undefined;
    }, 20_000);
    expect(stored).toHaveLength(COUNT);
    expect(new Set(stored.map((r) => r.msg_id)).size).toBe(COUNT);
  });
});

describe("mqtt.connections lowered while the gateway was stopped", () => {
  let child: GatewayProcess | undefined;
  afterAll(async () => {
    if (child) await stopProcess(child.child);
  });

  it("takes in what the broker queued for the sessions it no longer uses, each once", {
    timeout: 60_000,
  }, async () => {
    const { config, dir: gatewayDir } = testConfig({
      // Its own id: the gateway killed above left 32 kept sessions under the test id's group.
      gateway_id: "gw-lowered",
      mqtt: { ...external(), connections: 4 },
      log_level: "info",
    });
    child = await spawnGateway(gatewayDir, config as unknown as Record<string, unknown>);
    const health = async (port: number) =>
      (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
        broker: { clients: number };
      };
    const firstPort = child.httpPort;
    await eventually(async () =>
      (await health(firstPort)).broker.clients === 4 ? true : undefined,
    );
    await stopProcess(child.child);
    child = undefined;
    // The broker splits these between the four kept sessions, all offline now.
    const thermo = await device("thermo-2");
    const COUNT = 40;
    await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        publishQos1(thermo, deviceTopic("thermo-2", "temperature"), {
          temp_c: 36.4,
          msg_id: `lowered-${i}`,
        }),
      ),
    );
    (config as { mqtt: { connections: number } }).mqtt.connections = 1;
    child = await spawnGateway(gatewayDir, config as unknown as Record<string, unknown>);
    const url = `http://127.0.0.1:${child.httpPort}`;
    const token = await login(url);
    const stored = await eventually(async () => {
      const items = (
        (await (
          await fetch(`${url}/api/readings?device=thermo-2&limit=1000`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { items: { msg_id: string }[] }
      ).items.filter((r) => r.msg_id.startsWith("lowered-"));
      return items.length >= COUNT ? items : undefined;
    }, 20_000);
    expect(new Set(stored.map((r) => r.msg_id)).size).toBe(COUNT);
    expect(stored).toHaveLength(COUNT);
  });
});
