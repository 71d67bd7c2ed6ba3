import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD, eventually, metricValue } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/** What MQTT the embedded broker speaks (aedes: 3.1 and 3.1.1), and how it says no to MQTT 5. */
let dir: string;
let gateway: GatewayProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-mqtt-versions-"));
  gateway = await spawnGateway(
    dir,
    processConfig(dir, "gw-versions", {
      checkpoints: [{ id: "gate-1", name: "Gate" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    }),
  );
});
afterAll(async () => {
  await stopProcess(gateway.child);
  rmSync(dir, { recursive: true, force: true });
});

const url = () => `mqtt://127.0.0.1:${gateway.mqttPort}`;

describe("MQTT versions on the embedded broker", () => {
  it.each([3, 4] as const)(
    "takes a device speaking protocol level %i (MQTT 3.1, 3.1.1)",
    async (version) => {
      const thermo = await connectDevice(url(), "thermo-1", DEVICE_PASSWORD, {
        protocolVersion: version,
        ...(version === 3 ? { protocolId: "MQIsdp" } : {}),
      });
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
        temp_c: 36.5,
        msg_id: `v${version}`,
      });
      await thermo.endAsync(true);
      // Acknowledged means stored: the reading is in the gateway's file.
      const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
      try {
        expect(
          db.prepare("SELECT temp_c FROM readings WHERE msg_id = ?").all(`v${version}`),
        ).toEqual([{ temp_c: 36.5 }]);
      } finally {
        db.close();
      }
    },
  );

  it("refuses an MQTT 5 device in its CONNACK and says so in one log line naming it, counted", async () => {
    await expect(
      connectDevice(url(), "thermo-1", DEVICE_PASSWORD, { protocolVersion: 5 }),
    ).rejects.toThrow();
    const line = await eventually(() =>
      gateway
        .output()
        .split("\n")
        .find((l) => l.includes("MQTT connection of 'thermo-1' refused")),
    );
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      device: "thermo-1",
      protocol_version: 5,
      msg: "MQTT connection of 'thermo-1' refused: it speaks MQTT 5, the embedded broker speaks 3.1 and 3.1.1; set the device to MQTT 3.1.1, or run the site's own broker (mqtt.mode: external)",
    });
    expect(
      await metricValue(
        `http://127.0.0.1:${gateway.httpPort}`,
        'checkpoint_mqtt_refused_total{reason="protocol_version"}',
      ),
    ).toBe(1);
  });
});
