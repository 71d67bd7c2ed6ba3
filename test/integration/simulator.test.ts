import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  DEVICE_PASSWORD,
  eventually,
  login,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";
import { PROJECT_ROOT } from "../helpers/process.js";

const run = promisify(execFile);
let gw: RunningGateway;
let simConfig: string;

beforeAll(async () => {
  gw = await startGateway();
  simConfig = join(gw.dir, "sim.yaml");
  writeFileSync(
    simConfig,
    stringify({
      checkpoints: [{ id: "gate-1", name: "North gate" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    }),
  );
});
afterAll(async () => {
  await gw.close();
});

describe("the simulator against a running gateway", () => {
  it("plays the fever scenario over MQTT; every reading it sent is stored and screened", async () => {
    const sim = join(PROJECT_ROOT, "dist/firmware-sim/main.js");
    const { stdout } = await run(
      process.execPath,
      [
        sim,
        "--scenario",
        "fever",
        "--seed",
        "3",
        "--count",
        "8",
        "--speed",
        "10000",
        "--config",
        simConfig,
        "--url",
        gw.mqttUrl,
      ],
      {
        env: { ...process.env, CHECKPOINT_LOG_LEVEL: "silent" },
      },
    );
    expect(stdout).toContain(`scenario fever, seed 3 -> MQTT at ${gw.mqttUrl}`);
    expect(stdout).toMatch(/thermo-1 -> 3\d\.\d\d °C/);
    expect(stdout).toMatch(/progress: 10 sent, 4 with fever, 0 failed, 0 skipped/);
    const token = await login(gw.httpUrl);
    const response = await fetch(`${gw.httpUrl}/api/readings?device=thermo-1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { items } = (await response.json()) as { items: { status: string }[] };
    expect(items).toHaveLength(10);
    expect(items.filter((r) => r.status === "fever")).toHaveLength(4);
  });

  it("exits 1 with a clear message when the broker refuses it", async () => {
    const sim = join(PROJECT_ROOT, "dist/firmware-sim/main.js");
    const badConfig = join(gw.dir, "bad-sim.yaml");
    writeFileSync(
      badConfig,
      stringify({
        checkpoints: [{ id: "gate-1", name: "North gate" }],
        devices: [
          {
            id: "thermo-1",
            kind: "thermometer",
            checkpoint: "gate-1",
            password: "not-the-password",
          },
        ],
      }),
    );
    await expect(
      run(process.execPath, [sim, "--count", "1", "--config", badConfig, "--url", gw.mqttUrl]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/checkpoint-sim: .*(Bad username or password|Not authorized)/i),
    });
  });
});

describe("the gate scenario", () => {
  it("registers its passes, drives reader and thermometer together, and its door hears each allowed passage", async () => {
    const gate = await startGateway({
      pairing_window_s: 0.2,
      checkpoints: [
        {
          id: "gate-1",
          name: "North gate",
          mode: "pass_and_temperature",
          direction: "both",
          door: "door-1",
        },
      ],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
        { id: "reader-1", kind: "pass_reader", checkpoint: "gate-1", password: DEVICE_PASSWORD },
        { id: "door-1", kind: "door", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    });
    const config = join(gate.dir, "gate-sim.yaml");
    writeFileSync(
      config,
      stringify({
        checkpoints: [{ id: "gate-1", name: "North gate" }],
        devices: [
          { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
          { id: "reader-1", kind: "pass_reader", checkpoint: "gate-1", password: DEVICE_PASSWORD },
          { id: "door-1", kind: "door", checkpoint: "gate-1", password: DEVICE_PASSWORD },
        ],
      }),
    );
    const sim = join(PROJECT_ROOT, "dist/firmware-sim/main.js");
    const { stdout } = await run(
      process.execPath,
      [
        sim,
        "--scenario",
        "gate",
        "--seed",
        "2",
        "--count",
        "6",
        "--rate",
        "6",
        "--speed",
        "20",
        "--fever-share",
        "0",
        "--config",
        config,
        "--url",
        gate.mqttUrl,
        "--register-passes",
        "--api",
        gate.httpUrl,
        "--admin-password",
        "admin-test-pass",
      ],
      { env: { ...process.env, CHECKPOINT_LOG_LEVEL: "silent" } },
    );
    expect(stdout).toContain("registered pass 0000070001 (revoked)");
    expect(stdout).toContain("registered pass 0000070002 (active, home observation)");
    const token = await login(gate.httpUrl);
    const alertKinds = async () => {
      const alerts = (await (
        await fetch(`${gate.httpUrl}/api/alerts?limit=100`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { kind: string }[] };
      // (The simulated devices going away at the end raise device_offline too.)
      return alerts.items
        .map((a) => a.kind)
        .filter((k) => k !== "device_offline")
        .sort();
    };
    // The simulator has exited, so every message it sent was acknowledged, and with it the
    // alerts its passages raised; waiting for the two covers what was still being pushed.
    const expected = ["observation", "revoked_pass"];
    const kinds = await eventually(async () => {
      const now = await alertKinds();
      return now.length >= expected.length ? now : undefined;
    });
    expect(kinds).toEqual(expected);
    const doorLines = stdout.split("\n").filter((line) => line.startsWith("door-1 <- "));
    // Three residents pass; the visitor, the revoked card and the observed resident do not.
    expect(doorLines).toHaveLength(3);
    expect(JSON.parse(doorLines[0]?.slice("door-1 <- ".length) ?? "{}")).toMatchObject({
      action: "open",
      checkpoint_id: "gate-1",
    });
    await gate.close();
  });
});
