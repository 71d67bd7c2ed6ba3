import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hikvisionNotification } from "../../gateway/devices/hikvision-isapi/encode.js";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { type RunningGateway, startGateway } from "../helpers/gateway.js";

/** A terminal a site already owns, on the same entrant's screen as every other device. */
let gw: RunningGateway;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  gw = await startGateway({
    checkpoints: [{ id: "gate-1", name: "Lobby / 大堂", mode: "temperature_only" }],
    devices: [
      {
        id: "hik-1",
        checkpoint: "gate-1",
        transport: "http",
        protocol: "hikvision-isapi",
        password: "hik-terminal-pass",
      },
    ],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-1`);
  await page.locator('body[data-connection="online"]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe("a Hikvision terminal's fever on the kiosk", () => {
  it("pops up red with the temperature the terminal measured", async () => {
    const response = await fetch(`${gw.httpUrl}/ingest/hikvision/hik-1`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from("hik-1:hik-terminal-pass").toString("base64")}`,
      },
      body: hikvisionNotification({
        serialNo: 1,
        dateTime: new Date().toISOString(),
        tempC: 38.6,
        employeeNoString: "E1001",
      }),
    });
    expect(response.status).toBe(200);
    await page.locator("#fever-popup").waitFor({ state: "visible" });
    await expect(page.locator("#popup-temperature").textContent()).resolves.toBe("38.6°C");
    await expect(page.locator("body").getAttribute("data-theme")).resolves.toBe("fever");
    await screenshot(page, "kiosk-terminal-fever-portrait");
  });
});
