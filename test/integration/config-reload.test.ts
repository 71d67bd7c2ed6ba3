import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../gateway/config/load.js";
import type { GatewayConfig } from "../../gateway/config/schema.js";
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
import { type GatewayProcess, spawnGateway, stopProcess } from "../helpers/process.js";

let gw: RunningGateway;
let fileDir: string;
let file: string;
let thermo: MqttClient;
let admin: Record<string, string>;

beforeAll(async () => {
  fileDir = mkdtempSync(join(tmpdir(), "cg-reload-"));
  file = join(fileDir, "checkpoint.yaml");
  gw = await startGateway({}, { loadConfig: () => loadConfig({ file, env: {} }).config });
  writeConfig(gw.config);
  admin = { authorization: `Bearer ${await login(gw.httpUrl)}` };
  thermo = await connectDevice(gw.mqttUrl, "thermo-1");
});
afterAll(async () => {
  await thermo?.endAsync(true);
  await gw?.close();
  rmSync(fileDir, { recursive: true, force: true });
});

function writeConfig(config: unknown): void {
  writeFileSync(file, stringify(config));
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${gw.httpUrl}${path}`, { ...init, headers: { ...admin, ...init.headers } });

/** Sends a reading from thermo-1 and answers the status it was screened as. */
async function screen(tempC: number): Promise<string> {
  const msgId = `r-${Math.random().toString(16).slice(2)}`;
  await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
    temp_c: tempC,
    msg_id: msgId,
  });
  return eventually(() => {
    const found = gw.gateway.store.readings
      .page({ device: "thermo-1", limit: 20 })
      .items.find((r) => r.msg_id === msgId);
    return found?.status;
  });
}

describe("the config view and reloads", () => {
  it("shows admins the config in force with every password hidden", async () => {
    const shown = (await (await api("/api/config")).json()) as GatewayConfig;
    expect(shown.gateway_id).toBe("gw-test");
    expect(shown.admin_password).toBe("***");
    expect(shown.devices.map((d) => ("password" in d ? d.password : null))).toEqual([
      "***",
      "***",
      "***",
    ]);
    expect(JSON.stringify(shown)).not.toContain("device-pass-1");
    await gw.gateway.store.accounts.create("guard9", "guard-pass-9", "guard", Date.now());
    const guard = { authorization: `Bearer ${await login(gw.httpUrl, "guard9", "guard-pass-9")}` };
    expect((await fetch(`${gw.httpUrl}/api/config`, { headers: guard })).status).toBe(403);
    expect(
      (await fetch(`${gw.httpUrl}/api/config/reload`, { method: "POST", headers: guard })).status,
    ).toBe(403);
  });

  it("applies new screening rules at once and says which changes need a restart", async () => {
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-1`);
    const threshold = (m: { type: string; data: Record<string, unknown> }) =>
      m.type === "hello" ? (m.data.checkpoint as { fever_above_c: number }).fever_above_c : null;
    await kiosk.waitFor((m) => threshold(m) === 37.3);
    expect(await screen(37.6)).toBe("fever");
    writeConfig({
      ...gw.config,
      screening: { ...gw.config.screening, fever_above_c: 37.8 },
      retention_days: 14,
      http: { ...gw.config.http, port: 18080 },
    });
    const response = await api("/api/config/reload", { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      outcome: "applied",
      applied: ["retention_days", "screening.fever_above_c"],
      restart_required: ["http.port"],
      problems: [],
    });
    expect(await screen(37.6)).toBe("normal");
    expect(await screen(37.9)).toBe("fever");
    // The kiosk at the gate is greeted again with the new threshold for its hint.
    await kiosk.waitFor((m) => threshold(m) === 37.8);
    await kiosk.close();
    const shown = (await (await api("/api/config")).json()) as GatewayConfig;
    expect(shown.screening.fever_above_c).toBe(37.8);
    expect(shown.retention_days).toBe(14);
    // Not applied: the gateway still listens where it started.
    expect(shown.http.port).toBe(0);
  });

  it("refuses a bad config with its problems, keeps running on the last good one, and audits every reload", async () => {
    writeConfig({ ...gw.config, screening: { ...gw.config.screening, fever_above_c: "hot" } });
    const response = await api("/api/config/reload", { method: "POST" });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; problems: string[] };
    expect(body.problems.join("\n")).toMatch(/screening\.fever_above_c/);
    expect(body.error).toMatch(/^config refused: /);
    expect(await screen(37.6)).toBe("normal");
    writeConfig({ ...gw.config, screening: { ...gw.config.screening, fever_above_c: 37.8 } });
    expect(
      (await (await api("/api/config/reload", { method: "POST" })).json()) as { outcome: string },
    ).toMatchObject({ outcome: "applied", applied: ["retention_days"] });

    const audit = (await (await api("/api/audit?action=config_reload")).json()) as {
      items: { actor: string; details: { outcome: string } }[];
    };
    expect(audit.items.map((a) => [a.actor, a.details.outcome])).toEqual([
      ["admin", "applied"],
      ["admin", "rejected"],
      ["admin", "applied"],
    ]);
    expect(
      await metricValue(gw.httpUrl, 'checkpoint_config_reloads_total{outcome="rejected"}'),
    ).toBe(1);
  });
});

describe("SIGHUP", () => {
  let dir: string;
  let child: GatewayProcess | undefined;
  afterAll(async () => {
    if (child) await stopProcess(child.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes the running gateway read its config file again", async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-sighup-"));
    const config = {
      ...gw.config,
      database: { path: join(dir, "gw.db") },
      http: { host: "127.0.0.1", port: 0 },
      mqtt: { host: "127.0.0.1", port: 0 },
      // spawnGateway waits for the "started" log line.
      log_level: "info",
    };
    child = await spawnGateway(dir, config);
    writeFileSync(
      join(dir, "checkpoint.yaml"),
      stringify({ ...config, screening: { ...config.screening, fever_above_c: 37.7 } }),
    );
    child.child.kill("SIGHUP");
    const url = `http://127.0.0.1:${child.httpPort}`;
    const token = await login(url);
    const shown = await eventually(async () => {
      const view = (await (
        await fetch(`${url}/api/config`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as GatewayConfig;
      return view.screening.fever_above_c === 37.7 ? view : undefined;
    });
    expect(shown.screening.fever_above_c).toBe(37.7);
    const audit = (await (
      await fetch(`${url}/api/audit?action=config_reload`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { items: { actor: string; details: { applied: string[] } }[] };
    expect(audit.items[0]).toMatchObject({
      actor: "SIGHUP",
      details: { applied: ["screening.fever_above_c"] },
    });
    expect(child.output()).toContain("config reloaded: 1 settings applied");
  });
});
