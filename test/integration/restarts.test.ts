import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD, eventually, login } from "../helpers/gateway.js";
import { PROJECT_ROOT, processConfig, spawnGateway, stopProcess } from "../helpers/process.js";

let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child) await stopProcess(child, "SIGKILL");
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const ADMIN = "admin-test-pass";

/** The seqs of the newest reading, passage and alert the API shows. */
async function newestSeqs(url: string, token: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const path of ["readings", "passages", "alerts"]) {
    const page = await getJson<{ items: { seq: number }[] }>(`${url}/api/${path}?limit=1`, token);
    seqs.push(...page.items.map((item) => item.seq));
  }
  return seqs;
}

async function getJson<T>(url: string, token?: string): Promise<T> {
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** Starts `npm run demo`'s program in `cwd` (its ./data), and resolves with its addresses. */
function startDemo(
  cwd: string,
): Promise<{ child: ChildProcess; url: string; mqttUrl: string; output: () => string }> {
  const demo = spawn(process.execPath, [join(PROJECT_ROOT, "dist/firmware-sim/demo.js")], {
    cwd,
    env: {
      ...process.env,
      CHECKPOINT_HTTP__HOST: "127.0.0.1",
      CHECKPOINT_HTTP__PORT: "0",
      CHECKPOINT_MQTT__HOST: "127.0.0.1",
      CHECKPOINT_MQTT__PORT: "0",
      CHECKPOINT_ADMIN_PASSWORD: ADMIN,
      CHECKPOINT_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = demo;
  let text = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const health = /health:\s+(http:\/\/\S+)\/api\/health/.exec(text);
      const broker = /MQTT broker:\s+(mqtt:\/\/\S+)/.exec(text);
      if (health?.[1] && broker?.[1])
        resolve({ child: demo, url: health[1], mqttUrl: broker[1], output: () => text });
    };
    demo.stdout?.on("data", onData);
    demo.stderr?.on("data", onData);
    demo.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${text}`)));
  });
}

describe("restarts", () => {
  it("`npm run demo` stopped with Ctrl-C and started again three times on the same ./data keeps running", async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-demo-"));
    let lastSeq = 0;
    for (let run = 1; run <= 3; run++) {
      const demo = await startDemo(dir);
      const token = await login(demo.url, "admin", ADMIN);
      // The devices going offline at the last stop opened device_offline alerts; coming back
      // resolves them, the write that failed with a repeated seq before (docs/contract.md#identity-and-order).
      if (run > 1)
        await eventually(
          async () =>
            (
              await getJson<{ items: unknown[] }>(
                `${demo.url}/api/alerts?kind=device_offline&state=open`,
                token,
              )
            ).items.length === 0
              ? true
              : undefined,
          15_000,
        );
      // And it goes on taking in readings: one of ours (the demo thermometer's password), stored
      // above everything before.
      const thermo = await connectDevice(demo.mqttUrl, "thermo-1", "change-me");
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
        temp_c: 36.7,
        msg_id: `restart-${run}`,
      });
      await thermo.endAsync(true);
      const ours = (
        await getJson<{ items: { seq: number; msg_id: string }[] }>(
          `${demo.url}/api/readings?device=thermo-1&limit=1000`,
          token,
        )
      ).items.find((reading) => reading.msg_id === `restart-${run}`);
      expect(ours?.seq).toBeGreaterThan(lastSeq);
      lastSeq = Math.max(lastSeq, ...(await newestSeqs(demo.url, token)));
      expect(demo.child.exitCode).toBeNull();
      const exited = new Promise<number | null>((resolve) => demo.child.once("exit", resolve));
      demo.child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(demo.output()).not.toMatch(/UNIQUE constraint|checkpoint-demo:/);
    }
  }, 90_000);

  it("lets a guard acknowledge and resolve an alert opened before a restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-restart-"));
    const config = processConfig(dir, "gw-restart", {
      checkpoints: [{ id: "gate-1", name: "Gate" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    });
    let gateway = await spawnGateway(dir, config);
    child = gateway.child;
    const thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
    await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: 38.6 });
    await thermo.endAsync(true);
    await stopProcess(gateway.child, "SIGTERM");

    gateway = await spawnGateway(dir, config);
    child = gateway.child;
    const url = `http://127.0.0.1:${gateway.httpPort}`;
    const token = await login(url, "admin", ADMIN);
    const { items } = await getJson<{ items: { id: string; kind: string }[] }>(
      `${url}/api/alerts?state=open&kind=fever`,
      token,
    );
    const fever = items[0];
    if (!fever) throw new Error("the fever alert from before the restart is not open");
    const post = (path: string, body: object) =>
      fetch(`${url}/api/alerts/${fever.id}/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("ack", {})).status).toBe(200);
    const resolved = await post("resolve", { disposition: "referred", confirm_temp_c: 38.4 });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ state: "resolved", disposition: "referred" });
    // Each change has its own id, above every seq stored before the restart.
    const detail = await getJson<{ alerts: { history: { change_id: string }[] }[] }>(
      `${url}/api/passages/${(await getJson<{ items: { id: string }[] }>(`${url}/api/passages?limit=1`, token)).items[0]?.id}`,
      token,
    );
    const changeIds = detail.alerts[0]?.history.map((h) => h.change_id) ?? [];
    expect(changeIds).toHaveLength(3);
    expect(new Set(changeIds).size).toBe(3);
  });
});
