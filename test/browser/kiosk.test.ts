import { execFileSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { RestartableGateway } from "../helpers/restartable.js";

let browser: Browser;
let page: Page;
const gw = new RestartableGateway();
const publish = (tempC: number) => gw.temperature(tempC);
const body = (attribute: string) => page.locator(`body[${attribute}]`);

beforeAll(async () => {
  await gw.start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await browser?.close();
  await gw.close();
});

describe("the kiosk page in Chromium", () => {
  it("has a CJK font installed, so Chinese does not render as boxes", () => {
    const families = execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8" });
    expect(families).toMatch(/Noto Sans CJK/);
  });

  it("shows the checkpoint in Chinese first and waits for a reading", async () => {
    await page.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-1`);
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
    // The tone sounds after the spoken prompt.
    await body('data-tone="fever"').waitFor({ timeout: 15_000 });
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
    await gw.restart(async () => {
      await page.locator("#offline").waitFor({ state: "visible" });
      await expect(page.locator("body").getAttribute("data-connection")).resolves.toBe("offline");
      await expect(page.locator("#offline .zh").textContent()).resolves.toBe(
        "连接中断，正在重新连接…",
      );
      await screenshot(page, "kiosk-5-connection-lost");
    });
    await body('data-connection="online"').waitFor({ timeout: 15_000 });
    await expect(page.locator("#offline").isHidden()).resolves.toBe(true);
    await publish(37.9);
    await page.locator("#fever-popup").waitFor({ state: "visible" });
    await expect(page.locator("#popup-temperature").textContent()).resolves.toBe("37.9°C");
    await screenshot(page, "kiosk-6-recovered");
  });
});
