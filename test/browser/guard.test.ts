import { rmSync } from "node:fs";
import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../gateway/config/schema.js";
import { Gateway } from "../../gateway/gateway.js";
import { createLogger } from "../../gateway/log.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { testConfig } from "../helpers/gateway.js";

let browser: Browser;
let guard: Page;
let kiosk: Page;
let gateway: Gateway;
let config: GatewayConfig;
let dir: string;
let thermo: MqttClient;

async function startOn(httpPort: number, mqttPort: number) {
  gateway = new Gateway(
    {
      ...config,
      http: { ...config.http, port: httpPort },
      mqtt: { ...config.mqtt, port: mqttPort },
    },
    { log: createLogger("silent") },
  );
  await gateway.start();
  thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
}

const fever = (tempC: number) =>
  publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: tempC });

beforeAll(async () => {
  ({ config, dir } = testConfig());
  await startOn(0, 0);
  await gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  browser = await launchChromium();
  guard = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  guard.setDefaultTimeout(8000);
  // The kiosk is another machine at the gate: its own browser context (and window).
  kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  kiosk.setDefaultTimeout(8000);
});
afterAll(async () => {
  await thermo?.endAsync(true);
  await browser?.close();
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the guard console in Chromium", () => {
  it("asks for a login, refuses a wrong password, and opens the console", async () => {
    await guard.goto(`http://127.0.0.1:${gateway.httpPort}/guard`);
    await guard.locator("#login").waitFor({ state: "visible" });
    await guard.fill("input[name=username]", "guard1");
    await guard.fill("input[name=password]", "not-it");
    await guard.click("#login-form button[type=submit]");
    await guard.locator("#login-error", { hasText: "用户名或密码错误" }).waitFor();
    await guard.fill("input[name=password]", "guard-pass-1");
    await guard.click("#login-form button[type=submit]");
    await guard.locator('body[data-connection="online"]').waitFor();
    await expect(guard.locator("#who").textContent()).resolves.toBe("guard1 (guard)");
    await expect(
      guard.locator("#devices li[data-device=thermo-1]").getAttribute("data-online"),
    ).resolves.toBe("true");
  });

  it("shows a fever alert with its sound; acknowledging silences it; resolving with 36.8 released clears it and the kiosk", async () => {
    await kiosk.goto(`http://127.0.0.1:${gateway.httpPort}/kiosk?checkpoint=gate-1`);
    await kiosk.locator('body[data-connection="online"]').waitFor();
    await fever(38.6);
    const alert = guard.locator("li.alert[data-kind=fever]");
    await alert.waitFor();
    await expect(alert.getAttribute("data-state")).resolves.toBe("open");
    await expect(guard.locator("body").getAttribute("data-alarm")).resolves.toBe("on");
    await expect(guard.locator("body").getAttribute("data-tone")).resolves.toBe("fever");
    await expect(alert.textContent()).resolves.toContain("38.6 °C");
    await kiosk.locator('body[data-theme="fever"]').waitFor();
    await guard.locator('#counts tr[data-checkpoint="gate-1"]').waitFor();
    await screenshot(guard, "guard-1-fever-alert");

    await alert.locator("button[data-action=ack]").click();
    await guard.locator('li.alert[data-kind=fever][data-state="acknowledged"]').waitFor();
    await expect(guard.locator("body").getAttribute("data-alarm")).resolves.toBe("off");

    await alert.locator("select[name=disposition]").selectOption("released");
    await alert.locator("input[name=confirm_temp_c]").fill("36.8");
    await alert.locator("button[data-action=resolve]").click();
    await alert.waitFor({ state: "detached" });
    await expect(guard.locator("#no-alerts").isVisible()).resolves.toBe(true);
    await kiosk.locator('body[data-theme="idle"]').waitFor();
    const resolved = gateway.store.alerts.page({ kind: "fever", state: "resolved", limit: 1 })
      .items[0];
    expect(resolved).toMatchObject({
      disposition: "released",
      confirm_temp_c: 36.8,
      resolved_by: "guard1",
    });
    await screenshot(guard, "guard-2-resolved");
  });

  it("survives a gateway restart and shows the alert raised while it was away", async () => {
    const httpPort = gateway.httpPort;
    const mqttPort = gateway.mqttPort;
    await thermo.endAsync(true);
    await gateway.stop();
    await guard.locator('body[data-connection="offline"]').waitFor();
    await startOn(httpPort, mqttPort);
    await fever(39.2);
    await guard.locator('body[data-connection="online"]').waitFor({ timeout: 15_000 });
    const alert = guard.locator("li.alert[data-kind=fever]", { hasText: "39.2 °C" });
    await alert.waitFor({ timeout: 10_000 });
    await expect(guard.locator("body").getAttribute("data-alarm")).resolves.toBe("on");
    await screenshot(guard, "guard-3-after-restart");
  });
});
