import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { launchChromium, layoutProblems, screenshot } from "../helpers/browser.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { type RunningGateway, startGateway } from "../helpers/gateway.js";
import { registerWestGatePasses, WEST_GATE } from "../helpers/west-gate.js";

/**
 * Every state of the entrant's screen at the sizes real gates use: a landscape 1920x1080
 * screen, a portrait 1080x1920 standing terminal, a 7-inch 800x480 panel. Each page watches
 * the same gate, so every person is seen on all three at once.
 */
const SIZES = [
  { name: "landscape", width: 1920, height: 1080 },
  { name: "portrait", width: 1080, height: 1920 },
  { name: "small", width: 800, height: 480 },
] as const;
/** The smallest text an entrant must read from a step away on the 7-inch panel. */
const MIN_FONT_PX = 14;
const FEVER_HOLD_S = 4;

let gw: RunningGateway;
let browser: Browser;
let thermo: MqttClient;
let reader: MqttClient;
const pages: { name: string; page: Page }[] = [];
let stopped = false;

beforeAll(async () => {
  gw = await startGateway({ ...WEST_GATE, kiosk: { voice: "zh_en", fever_hold_s: FEVER_HOLD_S } });
  registerWestGatePasses(gw.gateway.store);
  thermo = await connectDevice(gw.mqttUrl, "thermo-3");
  reader = await connectDevice(gw.mqttUrl, "reader-3");
  browser = await launchChromium();
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
    await page.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-3`);
    await page.locator('body[data-connection="online"]').waitFor();
    pages.push({ name: size.name, page });
  }
});
afterAll(async () => {
  await thermo?.endAsync(true);
  await reader?.endAsync(true);
  await browser?.close();
  if (!stopped) await gw?.close();
});

const scan = (passId: string) =>
  publishQos1(reader, deviceTopic("reader-3", "scan"), { pass_id: passId, method: "card" });
const measure = (tempC: number) =>
  publishQos1(thermo, deviceTopic("thermo-3", "temperature"), { temp_c: tempC });

/** Waits for the state on every screen, checks it is whole and readable, saves screenshots. */
async function everyScreenShows(theme: string, name: string, zh: string) {
  for (const { name: size, page } of pages) {
    const text = theme === "fever" ? "#popup-zh" : "#message-zh";
    await expect
      .poll(
        () =>
          page.evaluate(
            `[document.body.dataset.theme, document.querySelector(${JSON.stringify(text)}).textContent]`,
          ),
        { timeout: 15_000 },
      )
      .toEqual([theme, zh]);
    await screenshot(page, `kiosk-screen-${name}-${size}`);
    expect(await layoutProblems(page, MIN_FONT_PX), `${name} at ${size}`).toEqual([]);
  }
}

const background = (page: Page) => page.evaluate("getComputedStyle(document.body).backgroundColor");

describe("the layout check itself", () => {
  it("finds text cut off by the screen's edge, sideways scrolling and text too small to read", async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
    await page.setContent(
      '<div style="font-size:40px;white-space:nowrap">体温异常，请联系工作人员</div><p style="font-size:10px">小字</p><p hidden>体温异常，请联系工作人员体温异常</p>',
    );
    const problems = await layoutProblems(page, MIN_FONT_PX);
    await page.close();
    expect(problems.map((p) => p.text)).toEqual(["(page)", "体温异常，请联系工作人员", "小字"]);
  });
});

describe("the entrant's screen at landscape, portrait and 7-inch sizes", () => {
  it("idles with the gate's name, everything inside the screen", async () => {
    await everyScreenShows("idle", "1-idle", "请靠近测温");
  });

  it("says at once that a card was read and asks for the forehead", async () => {
    await scan("2000000001");
    await everyScreenShows("scan", "2-card-read", "已刷卡，请测温");
    for (const { page } of pages)
      await expect(page.locator("#message-en").textContent()).resolves.toBe(
        "Card read, please measure",
      );
  });

  it("greets the resident in green when the pair is complete", async () => {
    await measure(36.6);
    await everyScreenShows("normal", "3-allowed", "张* 请通行");
  });

  it("refuses a revoked pass in its own colour, the normal temperature shown green", async () => {
    await scan("2000000002");
    await measure(36.6);
    await everyScreenShows("refused", "4-refused", "禁止通行：出入证已注销");
    for (const { page } of pages) {
      expect(await background(page)).toBe("rgb(91, 42, 134)");
      const temperature = page.locator("#temperature");
      await expect(temperature.textContent()).resolves.toBe("36.6°C");
      await expect(temperature.getAttribute("data-status")).resolves.toBe("normal");
      expect(
        await page.evaluate(
          "getComputedStyle(document.getElementById('temperature')).backgroundColor",
        ),
      ).toBe("rgb(11, 122, 62)");
      await expect(page.locator("#fever-popup").isHidden()).resolves.toBe(true);
    }
  });

  it("pops up a fever inside even a portrait screen, and keeps it up for its hold when the next person is read", async () => {
    await scan("2000000001");
    await measure(38.2);
    await everyScreenShows("fever", "5-fever", "体温异常，请联系工作人员");
    for (const { page } of pages)
      await expect(page.locator("#popup-temperature").textContent()).resolves.toBe("38.2°C");
    // The next person, read at once: every screen has received it, and the fever is still up.
    await scan("2000000001");
    await measure(36.5);
    const seq = gw.gateway.store.journal.currentSeq;
    for (const { name, page } of pages) {
      await expect
        .poll(async () => Number(await page.locator("body").getAttribute("data-last-seq")), {
          timeout: 5000,
        })
        .toBeGreaterThanOrEqual(seq);
      await expect(page.locator("body").getAttribute("data-theme"), name).resolves.toBe("fever");
      await expect(page.locator("#fever-popup").isVisible(), name).resolves.toBe(true);
    }
    // After the hold, the next person's own result.
    await everyScreenShows("normal", "6-after-fever-hold", "张* 请通行");
  });

  it("asks a cold arrival to wait, and says a failed measurement in grey without a number", async () => {
    await scan("2000000001");
    await measure(34.1);
    await everyScreenShows("low", "7-low", "禁止通行：体温偏低，请稍候再测");
    await scan("2000000001");
    await measure(28);
    await everyScreenShows("invalid", "8-invalid", "禁止通行：测量失败，请重新测量");
    for (const { page } of pages)
      await expect(page.locator("#temperature").textContent()).resolves.toBe("");
  });

  it("pauses in a neutral colour when the connection is lost", async () => {
    stopped = true;
    await gw.close();
    await everyScreenShows("paused", "9-paused", "暂停测温");
    for (const { page } of pages) {
      expect(await background(page)).toBe("rgb(58, 64, 72)");
      await expect(page.locator("#offline .zh").textContent()).resolves.toBe(
        "连接中断，正在重新连接…",
      );
    }
  });
});
