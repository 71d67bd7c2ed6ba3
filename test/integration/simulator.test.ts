import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { DEVICE_PASSWORD, login, type RunningGateway, startGateway } from "../helpers/gateway.js";
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
