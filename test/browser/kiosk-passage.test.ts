import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { type RunningGateway, startGateway } from "../helpers/gateway.js";
import { registerWestGatePasses, WEST_GATE } from "../helpers/west-gate.js";

let gw: RunningGateway;
let browser: Browser;
let page: Page;
let thermo: MqttClient;
let reader: MqttClient;

beforeAll(async () => {
  gw = await startGateway(WEST_GATE);
  registerWestGatePasses(gw.gateway.store);
  thermo = await connectDevice(gw.mqttUrl, "thermo-3");
  reader = await connectDevice(gw.mqttUrl, "reader-3");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-3`);
  await page.locator('body[data-connection="online"]').waitFor();
});
afterAll(async () => {
  await thermo?.endAsync(true);
  await reader?.endAsync(true);
  await browser?.close();
  await gw?.close();
});

async function person(passId: string, tempC: number) {
  await publishQos1(reader, deviceTopic("reader-3", "scan"), { pass_id: passId, method: "card" });
  await publishQos1(thermo, deviceTopic("thermo-3", "temperature"), { temp_c: tempC });
}

describe("the kiosk at a pass-and-temperature gate", () => {
  it("lets a resident with a valid pass through by masked name", async () => {
    await person("2000000001", 36.6);
    await page.locator('body[data-passage="allow"]').waitFor();
    await expect(page.locator("#message-zh").textContent()).resolves.toBe("张* 请通行");
    await expect(page.locator("body").textContent()).resolves.not.toContain("张伟");
    await screenshot(page, "kiosk-7-passage-allowed");
  });

  it("refuses a revoked pass with the reason in Chinese and English", async () => {
    await person("2000000002", 36.6);
    await page.locator('body[data-passage="deny"]').waitFor();
    await expect(page.locator("#message-zh").textContent()).resolves.toBe("禁止通行：出入证已注销");
    await expect(page.locator("#message-en").textContent()).resolves.toBe(
      "Entry refused: Pass revoked",
    );
    await expect(page.locator("body").getAttribute("data-theme")).resolves.toBe("refused");
    await screenshot(page, "kiosk-8-passage-refused");
  });
});
