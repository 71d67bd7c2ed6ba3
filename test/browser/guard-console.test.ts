import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, layoutProblems, screenshot } from "../helpers/browser.js";
import { RestartableGateway } from "../helpers/restartable.js";

/**
 * The guard console for a shift: on a desk PC (1366x768) and on the phone a guard carries
 * along the gate (390x844), each logged in as the same guard.
 */
const gw = new RestartableGateway();
const browsers: Browser[] = [];
const consoles: { name: string; page: Page }[] = [];
const dialogs: string[] = [];

async function openConsole(width: number, height: number, autoplay = true) {
  const browser = await launchChromium({ autoplay });
  browsers.push(browser);
  const page = await browser.newPage({ viewport: { width, height } });
  page.setDefaultTimeout(8000);
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${gw.httpUrl}/guard`);
  await page.fill("input[name=username]", "guard1");
  await page.fill("input[name=password]", "guard-pass-1");
  await page.click("#login-form button[type=submit]");
  await page.locator('body[data-connection="online"]').waitFor();
  return page;
}

beforeAll(async () => {
  await gw.start();
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  consoles.push({ name: "desk", page: await openConsole(1366, 768) });
  consoles.push({ name: "phone", page: await openConsole(390, 844) });
});
afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await gw.close();
});

const desk = () => consoles[0]?.page as Page;
const phone = () => consoles[1]?.page as Page;
const card = (page: Page, kind: string, text?: string) =>
  page.locator(`li.alert[data-kind=${kind}]`, text ? { hasText: text } : {});

describe("the guard console on a desk and on a phone", () => {
  it("keeps what the guard is typing, and the focus, when new alerts arrive", async () => {
    await gw.temperature(38.6);
    const first = card(desk(), "fever", "38.6 °C");
    await first.waitFor();
    await first.locator("input[name=confirm_temp_c]").fill("37.");
    await first.locator("input[name=note]").fill("正在复测");
    await first.locator("input[name=note]").focus();
    const firstId = await first.getAttribute("data-id");

    // A second fever and a device going offline arrive while the guard types.
    await gw.temperature(39.1);
    gw.gateway.ingest.setDeviceOnline("thermo-2", true, null);
    gw.gateway.ingest.setDeviceOnline("thermo-2", false, "no message for 60 s");
    for (const { page } of consoles) await page.locator("li.alert").nth(2).waitFor();

    await expect(first.locator("input[name=note]").inputValue()).resolves.toBe("正在复测");
    await expect(first.locator("input[name=confirm_temp_c]").inputValue()).resolves.toBe("37");
    expect(
      await desk().evaluate(
        "[document.activeElement.name, document.activeElement.closest('li.alert').dataset.id]",
      ),
    ).toEqual(["note", firstId]);
    await desk().keyboard.type("，体温37.0");
    await expect(first.locator("input[name=note]").inputValue()).resolves.toBe(
      "正在复测，体温37.0",
    );
  });

  it("lists fevers first (newest first) and equipment last, by names, not ids", async () => {
    for (const { name, page } of consoles) {
      const kinds = await page.locator("li.alert").evaluateAll(
        // biome-ignore lint/suspicious/noExplicitAny: runs in the page
        (items: any[]) => items.map((item) => item.dataset.kind),
      );
      expect(kinds, name).toEqual(["fever", "fever", "device_offline"]);
      await expect(page.locator("li.alert").first().textContent(), name).resolves.toContain(
        "39.1 °C",
      );
      await expect(card(page, "fever", "38.6").textContent()).resolves.toContain("北门 North gate");
      await expect(card(page, "device_offline").textContent()).resolves.toContain(
        "南门 South gate · 测温仪 Thermometer (thermo-2)",
      );
      await screenshot(page, `guard-console-1-three-alerts-${name}`);
    }
  });

  it("offers each kind what fits it, with nothing chosen", async () => {
    const values = (page: Page, kind: string) =>
      card(page, kind)
        .first()
        .locator("select[name=disposition] option")
        .evaluateAll(
          // biome-ignore lint/suspicious/noExplicitAny: runs in the page
          (options: any[]) => options.map((o) => [o.value, o.selected, o.disabled]),
        );
    expect(await values(desk(), "fever")).toEqual([
      ["", true, true],
      ["released", false, false],
      ["referred", false, false],
      ["refused", false, false],
      ["false_alarm", false, false],
    ]);
    expect(await values(desk(), "device_offline")).toEqual([
      ["", true, true],
      ["fixed", false, false],
      ["false_alarm", false, false],
    ]);
    await expect(
      card(desk(), "device_offline").locator("input[name=confirm_temp_c]").count(),
    ).resolves.toBe(0);
  });

  it("says inline what is missing or wrong, and releases a fever only on a normal reading", async () => {
    const fever = card(phone(), "fever", "39.1 °C");
    await fever.locator("button[data-action=resolve]").click();
    await fever.locator(".error", { hasText: "请选择处理结果" }).waitFor();
    await fever.locator("select[name=disposition]").selectOption("released");
    await fever.locator("button[data-action=resolve]").click();
    await fever.locator(".error", { hasText: "请填写复测体温" }).waitFor();
    await fever.locator("input[name=confirm_temp_c]").fill("38.5");
    await fever.locator("button[data-action=resolve]").click();
    await fever.locator(".error", { hasText: "复测体温 38.5 °C 不正常" }).waitFor();
    await screenshot(phone(), "guard-console-2-refused-release-phone");
    await fever.locator("input[name=confirm_temp_c]").fill("36.8");
    await fever.locator("button[data-action=resolve]").click();
    for (const { page } of consoles)
      await card(page, "fever", "39.1 °C").waitFor({ state: "detached" });
    expect(dialogs).toEqual([]);
  });

  it("fits a phone: one column, nothing sideways, the header short, every control inside", async () => {
    const page = phone();
    await screenshot(page, "guard-console-3-phone");
    expect(await layoutProblems(page, 12, "width")).toEqual([]);
    const header = await page.locator("header.bar").boundingBox();
    expect(header?.height).toBeLessThan(140);
    for (const control of ["#logout", "#sound"]) {
      const box = await page.locator(control).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390, control).toBe(true);
      expect(box?.height, control).toBeGreaterThanOrEqual(44);
    }
    const alerts = await page.locator("section.alerts").boundingBox();
    const aside = await page.locator("aside").boundingBox();
    expect(aside && alerts && aside.y >= alerts.y + alerts.height).toBe(true);
    await screenshot(page, "guard-console-3-phone");
    expect(await layoutProblems(desk(), 12, "width")).toEqual([]);
    await screenshot(desk(), "guard-console-3-desk");
  });

  it("keeps the card the guard is looking at in place when an alert arrives above it", async () => {
    const page = phone();
    const offline = card(page, "device_offline");
    // The guard has scrolled down to the device alert (at the top, new alerts push down, as they should).
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.evaluate("window.scrollY")).toBeGreaterThan(0);
    const before = await offline.boundingBox();
    await gw.temperature(38.9);
    await card(page, "fever", "38.9 °C").waitFor();
    const after = await offline.boundingBox();
    expect(after?.y).toBeCloseTo(before?.y ?? Number.NaN, 0);
  });

  it("shows a strong focus ring on the keyboard's control", async () => {
    const page = desk();
    await card(page, "device_offline").locator("select[name=disposition]").focus();
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(
      "[document.activeElement.name, getComputedStyle(document.activeElement).outlineStyle, getComputedStyle(document.activeElement).outlineWidth]",
    );
    expect(ring).toEqual(["note", "solid", "3px"]);
  });

  it("says whether sound is really on: on where allowed, off until a tap where blocked", async () => {
    await expect(desk().locator("body").getAttribute("data-sound")).resolves.toBe("on");
    await expect(desk().locator("#sound").textContent()).resolves.toBe("声音已开 Sound on");
    // Logging in is a touch; a console opened again later (the session kept) has had none.
    const blocked = await openConsole(1366, 768, false);
    await blocked.reload();
    await blocked.locator('body[data-connection="online"]').waitFor();
    await expect(blocked.locator("body").getAttribute("data-sound")).resolves.toBe("off");
    await expect(blocked.locator("#sound").textContent()).resolves.toBe(
      "声音未开，点此开启 Sound off: tap",
    );
    await blocked.locator("#sound").click();
    await blocked.locator('body[data-sound="on"]').waitFor();
    await expect(blocked.locator("#sound").textContent()).resolves.toBe("声音已开 Sound on");
  });
});
