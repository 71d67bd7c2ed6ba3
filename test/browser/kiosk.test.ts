import { execFileSync } from "node:child_process";
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
let page: Page;
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

const publish = (temp_c: number) =>
  publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c });
const body = (attribute: string) => page.locator(`body[${attribute}]`);

beforeAll(async () => {
  ({ config, dir } = testConfig());
  await startOn(0, 0);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await thermo?.endAsync(true);
  await browser?.close();
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the kiosk page in Chromium", () => {
  it("has a CJK font installed, so Chinese does not render as boxes", () => {
    const families = execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8" });
    expect(families).toMatch(/Noto Sans CJK/);
  });

  it("shows the checkpoint in Chinese first and waits for a reading", async () => {
    await page.goto(`http://127.0.0.1:${gateway.httpPort}/kiosk?checkpoint=gate-1`);
    await body('data-connection="online"').waitFor();
    await expect(page.locator("#checkpoint-zh").textContent()).resolves.toBe("北门");
    await expect(page.locator("#checkpoint-en").textContent()).resolves.toBe("North gate");
    await expect(page.locator("#message-zh").textContent()).resolves.toBe("请靠近测温");
    await expect(page.locator("#hint .zh").textContent()).resolves.toBe(
      "体温高于 37.3 °C 请联系工作人员",
    );
    await screenshot(page, "kiosk-1-idle");
  });

  it("pops up red with the tone for 38.2 °C", async () => {
    await publish(38.2);
    await page.locator("#fever-popup").waitFor({ state: "visible" });
    await expect(page.locator("#popup-temperature").textContent()).resolves.toBe("38.2°C");
    await expect(page.locator("body").getAttribute("data-theme")).resolves.toBe("fever");
    await expect(page.locator("body").getAttribute("data-tone")).resolves.toBe("fever");
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(192, 20, 27)");
    await screenshot(page, "kiosk-2-fever");
  });

  it("turns green for 36.5 °C and silences the tone", async () => {
    await publish(36.5);
    await body('data-theme="normal"').waitFor();
    await expect(page.locator("#fever-popup").isHidden()).resolves.toBe(true);
    await expect(page.locator("#temperature").textContent()).resolves.toBe("36.5°C");
    await expect(page.locator("#message-zh").textContent()).resolves.toBe("体温正常，请通行");
    await expect(page.locator("body").getAttribute("data-tone")).resolves.toBe("none");
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(11, 122, 62)");
    await screenshot(page, "kiosk-3-normal");
  });

  it("asks a cold arrival to measure again", async () => {
    await publish(34.1);
    await body('data-theme="low"').waitFor();
    await expect(page.locator("#message-zh").textContent()).resolves.toBe("请稍候，再测一次");
    await screenshot(page, "kiosk-4-low");
  });

  it("says the connection is lost when the server stops, and recovers when it returns", async () => {
    const httpPort = gateway.httpPort;
    const mqttPort = gateway.mqttPort;
    await thermo.endAsync(true);
    await gateway.stop();
    await page.locator("#offline").waitFor({ state: "visible" });
    await expect(page.locator("body").getAttribute("data-connection")).resolves.toBe("offline");
    await expect(page.locator("#offline .zh").textContent()).resolves.toBe(
      "连接中断，正在重新连接…",
    );
    await screenshot(page, "kiosk-5-connection-lost");

    await startOn(httpPort, mqttPort);
    await body('data-connection="online"').waitFor({ timeout: 15_000 });
    await expect(page.locator("#offline").isHidden()).resolves.toBe(true);
    await publish(37.9);
    await page.locator("#fever-popup").waitFor({ state: "visible" });
    await expect(page.locator("#popup-temperature").textContent()).resolves.toBe("37.9°C");
    await screenshot(page, "kiosk-6-recovered");
  });
});
