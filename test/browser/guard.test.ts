import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { RestartableGateway } from "../helpers/restartable.js";

let browser: Browser;
let guard: Page;
let kiosk: Page;
const gw = new RestartableGateway();
const fever = (tempC: number) => gw.temperature(tempC);

beforeAll(async () => {
  await gw.start();
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  browser = await launchChromium();
  guard = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  guard.setDefaultTimeout(8000);
  // The kiosk is another machine at the gate: its own browser context (and window).
  kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  kiosk.setDefaultTimeout(8000);
});
afterAll(async () => {
  await browser?.close();
  await gw.close();
});

describe("the guard console in Chromium", () => {
  it("asks for a login, refuses a wrong password, and opens the console", async () => {
    await guard.goto(`${gw.httpUrl}/guard`);
    await guard.locator("#login").waitFor({ state: "visible" });
    await guard.fill("input[name=username]", "guard1");
    await guard.fill("input[name=password]", "not-it");
    await guard.click("#login-form button[type=submit]");
    await guard.locator("#login-error", { hasText: "用户名或密码错误" }).waitFor();
    await guard.fill("input[name=password]", "guard-pass-1");
    await guard.click("#login-form button[type=submit]");
    await guard.locator('body[data-connection="online"]').waitFor();
    await expect(guard.locator("#who").textContent()).resolves.toBe("guard1 (值守)");
    await guard
      .locator('#upstream[data-state="off"]', { hasText: "District: not configured" })
      .waitFor();
    await expect(
      guard.locator("#devices li[data-device=thermo-1]").getAttribute("data-online"),
    ).resolves.toBe("true");
  });

  it("shows a fever alert with its sound; acknowledging silences it; resolving with 36.8 released clears it and the kiosk", async () => {
    await kiosk.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-1`);
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
    const resolved = gw.gateway.store.alerts.page({ kind: "fever", state: "resolved", limit: 1 })
      .items[0];
    expect(resolved).toMatchObject({
      disposition: "released",
      confirm_temp_c: 36.8,
      resolved_by: "guard1",
    });
    await screenshot(guard, "guard-2-resolved");
  });

  it("survives a gateway restart and shows the alert raised while it was away", async () => {
    await gw.restart(async () => {
      await guard.locator('body[data-connection="offline"]').waitFor();
    });
    await fever(39.2);
    await guard.locator('body[data-connection="online"]').waitFor({ timeout: 15_000 });
    const alert = guard.locator("li.alert[data-kind=fever]", { hasText: "39.2 °C" });
    await alert.waitFor({ timeout: 10_000 });
    await expect(guard.locator("body").getAttribute("data-alarm")).resolves.toBe("on");
    await screenshot(guard, "guard-3-after-restart");
  });
});
