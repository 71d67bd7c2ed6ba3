import { readFileSync } from "node:fs";
import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate, wallClock } from "../../common/time.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { launchChromium, layoutProblems, screenshot } from "../helpers/browser.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { newPassage } from "../helpers/fixtures.js";
import {
  ADMIN_PASSWORD,
  eventually,
  login,
  type RunningGateway,
  startGateway,
} from "../helpers/gateway.js";

let gw: RunningGateway;
let browser: Browser;
let page: Page;
const devices: MqttClient[] = [];
let adminAuth: Record<string, string>;

/** Two fevers and a normal reading at the south gate, one of each at the north gate. */
const SEEDED = [
  ["thermo-2", 38.4],
  ["thermo-2", 36.2],
  ["thermo-2", 38.9],
  ["thermo-1", 38.5],
  ["thermo-1", 36.5],
] as const;

beforeAll(async () => {
  gw = await startGateway();
  adminAuth = {
    authorization: `Bearer ${await login(gw.httpUrl)}`,
    "content-type": "application/json",
  };
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  const thermo: Record<string, MqttClient> = {
    "thermo-1": await connectDevice(gw.mqttUrl, "thermo-1"),
    "thermo-2": await connectDevice(gw.mqttUrl, "thermo-2"),
  };
  devices.push(...Object.values(thermo));
  for (const [device, temp_c] of SEEDED)
    await publishQos1(thermo[device] as MqttClient, deviceTopic(device, "temperature"), { temp_c });
  await eventually(() =>
    gw.gateway.store.passages.page({ limit: 10 }).items.length === SEEDED.length ? true : undefined,
  );
  // The guard dealt with the first fever at the south gate: it has a history to show.
  const [first] = gw.gateway.store.alerts.page({ checkpoint: "gate-2", limit: 10 }).items.reverse();
  for (const [action, body] of [
    ["ack", {}],
    ["resolve", { disposition: "released", confirm_temp_c: 36.9, note: "休息后复测" }],
  ] as const)
    await fetch(`${gw.httpUrl}/api/alerts/${first?.id}/${action}`, {
      method: "POST",
      headers: adminAuth,
      body: JSON.stringify(body),
    });
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(8000);
});
afterAll(async () => {
  for (const device of devices) await device.endAsync(true);
  await browser?.close();
  await gw?.close();
});

const rows = (table: string) => page.locator(`#${table} tbody tr`);

describe("the admin's desk in Chromium", () => {
  it("asks for a login and opens on the passages log, newest first", async () => {
    await page.goto(`${gw.httpUrl}/admin`);
    await page.locator("#login").waitFor({ state: "visible" });
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", "wrong-password");
    await page.click("#login-form button[type=submit]");
    await page.locator("#login-error", { hasText: "用户名或密码错误" }).waitFor();
    await page.fill("input[name=password]", ADMIN_PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.locator("#view-logs").waitFor({ state: "visible" });
    await expect(page.locator("#who").textContent()).resolves.toBe("admin (管理员 admin)");
    await expect(rows("log-table").count()).resolves.toBe(SEEDED.length);
    // Newest first: the last reading sent was 36.5 at the north gate.
    await expect(rows("log-table").first().textContent()).resolves.toContain("36.5 °C");
  });

  it("filters passages to fevers at one checkpoint, shows times in the site's zone, and exports them", async () => {
    await page.selectOption("#log-filters select[name=checkpoint]", "gate-2");
    await page.selectOption("#log-filters select[name=reason]", "fever");
    await page.click("#log-filters button[type=submit]");
    await eventually(async () => ((await rows("log-table").count()) === 2 ? true : undefined));
    const texts = await rows("log-table").allTextContents();
    expect(texts.every((t) => t.includes("南门 South gate") && t.includes("体温异常"))).toBe(true);
    // thermo-2 has offset_c 0.3: 38.9 -> 39.2 and 38.4 -> 38.7, newest first.
    expect(texts.map((t) => /\d\d\.\d °C/.exec(t)?.[0])).toEqual(["39.2 °C", "38.7 °C"]);
    const newest = gw.gateway.store.passages.page({ limit: 1 }).items[0];
    expect(texts[0]).toContain(
      wallClock(Date.parse(newest?.ts ?? ""), gw.config.site.timezone).slice(0, 10),
    );
    await screenshot(page, "admin-1-fevers-at-south-gate");
    // The time range is typed as the site's wall clock: up to a minute before the first reading
    // finds nothing, from then on finds both.
    const oldest = gw.gateway.store.passages.page({ limit: 10 }).items.at(-1)?.ts ?? "";
    const siteMinute = (ms: number) =>
      wallClock(ms, gw.config.site.timezone).slice(0, 16).replace(" ", "T");
    await page.fill("#log-filters input[name=to]", siteMinute(Date.parse(oldest) - 60_000));
    await page.click("#log-filters button[type=submit]");
    await page.locator("#log-empty").waitFor({ state: "visible" });
    await page.fill("#log-filters input[name=to]", "");
    await page.fill("#log-filters input[name=from]", siteMinute(Date.parse(oldest) - 60_000));
    await page.click("#log-filters button[type=submit]");
    await eventually(async () => ((await rows("log-table").count()) === 2 ? true : undefined));

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#export-link"),
    ]);
    const bytes = readFileSync((await download.path()) as string);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "编号 id,时间 time,检查点 checkpoint,出入证号 pass_id,姓名 holder_name,体温 temp_c,结果 decision,原因 reasons,检查点编号 checkpoint_id",
    );
    expect(lines.slice(1).map((l) => l.split(",")[5])).toEqual(["39.2", "38.7"]);
    const audit = (await (
      await fetch(`${gw.httpUrl}/api/audit?action=export`, { headers: adminAuth })
    ).json()) as { items: { details: { rows: number; filters: Record<string, string> } }[] };
    expect(audit.items[0]?.details).toMatchObject({
      rows: 2,
      filters: { checkpoint: "gate-2", reason: "fever" },
    });
  });

  it("opens a passage with its reading and the fever alert's every step", async () => {
    await rows("log-table").nth(1).locator("button[data-action=detail]").click();
    const dialog = page.locator("#passage-detail");
    await dialog.waitFor({ state: "visible" });
    const text = (await dialog.textContent()) ?? "";
    expect(text).toContain("测温仪 Thermometer (thermo-2)");
    expect(text).toContain("南门 South gate");
    expect(text).toContain("38.7 °C");
    expect(text).toContain("无刷卡 No scan");
    await expect(
      dialog
        .locator(".alert-history li[data-kind=fever] li")
        .evaluateAll((items) => items.map((item) => item.getAttribute("data-state"))),
    ).resolves.toEqual(["open", "acknowledged", "resolved"]);
    expect(text).toContain("复测正常放行 Released");
    expect(text).toContain("休息后复测");
    await screenshot(page, "admin-2-passage-detail");
    await dialog.locator("button.close").click();
    await dialog.waitFor({ state: "hidden" });
  });

  it("imports a pass file with one bad row and shows that row's error by line", async () => {
    await page.click("nav a[data-view=passes]");
    await page.locator("#view-passes").waitFor({ state: "visible" });
    await page.setInputFiles("#import-form input[name=file]", {
      name: "passes.csv",
      mimeType: "text/csv",
      // As Excel on a Chinese Windows saves "CSV": GBK bytes (王小明 below), no BOM.
      buffer: Buffer.concat([
        Buffer.from("pass_id,holder_name,unit,status,valid_until,observation_until\r\n0012345678,"),
        Buffer.from([0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7]),
        Buffer.from(
          ",3-2-401,active,,\r\n" +
            "0087654321,,5-1-101,active,,\r\n" +
            "0055500555,Li Hua,1-1-202,active,2027-12-31T23:59:59+08:00,\r\n",
        ),
      ]),
    });
    await page.click("#import-form button[type=submit]");
    await page.locator('#import-result[data-outcome="partial"]').waitFor();
    await expect(page.locator("#import-result").textContent()).resolves.toContain(
      "已导入 2 条，1 行有误",
    );
    await expect(page.locator("#import-result").textContent()).resolves.toContain("GB18030");
    const error = page.locator('#import-errors tr[data-line="3"]');
    await expect(error.textContent()).resolves.toContain("holder_name: is required");
    await expect(page.locator("#import-errors tbody tr").count()).resolves.toBe(1);
    await page.locator('#pass-table tr[data-pass="0012345678"]', { hasText: "王小明" }).waitFor();
    await expect(page.locator('#pass-table tr[data-pass="0087654321"]').count()).resolves.toBe(0);
    await screenshot(page, "admin-3-import-with-a-bad-row");
  });

  it("sets a home observation of 14 days from today, and revokes a pass, each asked again first", async () => {
    const row = () => page.locator('#pass-table tr[data-pass="0012345678"]');
    const observe = row().locator("button[data-action=observe]");
    await observe.click();
    // One click only asks: the button says what a second click will do, and nothing changed yet.
    await expect(observe.textContent()).resolves.toMatch(/^确认 .+ 居家观察14天？/);
    const before = (await (
      await fetch(`${gw.httpUrl}/api/passes/0012345678`, { headers: adminAuth })
    ).json()) as { observation_until: string | null };
    expect(before.observation_until).toBeNull();
    await screenshot(page, "admin-3b-confirm-observation");
    await observe.click();
    await row().locator("button[data-action=end-observation]").waitFor();
    const pass = (await (
      await fetch(`${gw.httpUrl}/api/passes/0012345678`, { headers: adminAuth })
    ).json()) as { observation_until: string };
    const zone = gw.config.site.timezone;
    const days = Math.round(
      (Date.parse(pass.observation_until) -
        Date.parse(`${localDate(Date.now(), zone)}T00:00:00Z`)) /
        86_400_000,
    );
    // Midnight in the site's zone 14 days after today's date (the zone's offset is under a day).
    expect(days).toBe(14);
    expect(localDate(Date.parse(pass.observation_until), zone)).toBe(
      await row().locator("td.observing").textContent(),
    );
    const revoke = row().locator("button[data-action=revoke]");
    await revoke.click();
    await expect(revoke.textContent()).resolves.toMatch(/^确认注销 .+？ Confirm revoke$/);
    await expect(row().getAttribute("data-status")).resolves.toBe("active");
    await revoke.click();
    await page.locator('#pass-table tr[data-pass="0012345678"][data-status="revoked"]').waitFor();
    await page.fill("#pass-search input[name=q]", "Li Hua");
    await page.click("#pass-search button[type=submit]");
    await eventually(async () => ((await rows("pass-table").count()) === 1 ? true : undefined));
    await expect(rows("pass-table").first().getAttribute("data-pass")).resolves.toBe("0055500555");
  });

  it("opens today's summary with a chart per checkpoint", async () => {
    await page.click("nav a[data-view=summary]");
    const south = page.locator('.summary-card[data-checkpoint="gate-2"]');
    await south.waitFor();
    await expect(page.locator("#summary-form input[name=date]").inputValue()).resolves.toBe(
      localDate(Date.now(), gw.config.site.timezone),
    );
    const count = (key: string) => south.locator(`dd[data-count=${key}]`).textContent();
    await expect(count("passages")).resolves.toBe("3");
    await expect(count("denied")).resolves.toBe("2");
    await expect(count("fevers")).resolves.toBe("2");
    // One bar per hour that had passages; the fevers marked on it.
    const hourOf = (iso: string) =>
      Number(wallClock(Date.parse(iso), gw.config.site.timezone).slice(11, 13));
    const hours = new Set(
      gw.gateway.store.passages
        .page({ checkpoint: "gate-2", limit: 10 })
        .items.map((p) => hourOf(p.ts)),
    );
    await expect(south.locator("svg rect.denied").count()).resolves.toBe(hours.size);
    await expect(
      south
        .locator("svg text.fever")
        .evaluateAll((marks) =>
          marks.reduce((sum, mark) => sum + Number(mark.textContent?.slice(1)), 0),
        ),
    ).resolves.toBe(2);
    await expect(south.locator(".devices").textContent()).resolves.toContain("thermo-2 无 none");
    await screenshot(page, "admin-4-daily-summary");
  });

  it("shows the audit log and manages users", async () => {
    await page.click("nav a[data-view=audit]");
    await page.locator('#audit-table tr[data-action="pass_import"]').waitFor();
    await expect(page.locator('#audit-table tr[data-action="export"]').count()).resolves.toBe(1);
    await expect(
      page.locator('#audit-table tr[data-action="login_failed"]').first().textContent(),
    ).resolves.toContain("admin");
    // Details read as words, not JSON.
    const details = await page
      .locator('#audit-table tr[data-action="pass_import"] td.details')
      .first()
      .textContent();
    expect(details).toMatch(/^导入 imported: \d+，错误 errors: \d+，编码 encoding: /);
    await screenshot(page, "admin-5-audit-log");

    await page.click("nav a[data-view=users]");
    await page.locator('#user-table tr[data-user="guard1"]').waitFor();
    await page.fill("#user-form input[name=username]", "guard2");
    await page.fill("#user-form input[name=password]", "guard-pass-2");
    await page.click("#user-form button[type=submit]");
    await page.locator('#user-table tr[data-user="guard2"]').waitFor();
    // The last admin cannot become a guard: the page says why.
    await page.selectOption('#user-table tr[data-user="admin"] select[name=role]', "guard");
    await page
      .locator("#user-error", { hasText: "不能把最后一位管理员改为值守 the last admin" })
      .waitFor();
    await screenshot(page, "admin-6-users");
  });

  it("shows the config in force as tables without passwords, and says truly that there is no file to reload", async () => {
    await page.click("nav a[data-view=config]");
    const setting = (path: string) =>
      page.locator(`#config-view tr[data-path="${path}"] td`).textContent();
    await page.locator('#config-view tr[data-path="gateway_id"]').waitFor();
    await expect(setting("gateway_id")).resolves.toBe("gw-test");
    await expect(setting("admin_password")).resolves.toBe("***");
    await expect(setting("screening.fever_above_c")).resolves.toBe("37.3");
    await expect(
      page.locator('#config-view table[data-table="checkpoints"]').textContent(),
    ).resolves.toContain("North gate / 北门");
    const shown = (await page.locator("#config-view").textContent()) ?? "";
    expect(shown).not.toContain(ADMIN_PASSWORD);
    expect(shown).not.toContain('"');
    await page.click("#config-reload");
    // This test's gateway was started from an object, not a file: nothing to read again.
    await page
      .locator('#config-result[data-outcome="rejected"]', {
        hasText: "没有配置文件可重新加载：本网关以内置配置运行",
      })
      .waitFor();
    await screenshot(page, "admin-7-config");
    // At 1440x900 nothing goes off the side of the page.
    expect(await layoutProblems(page, 12, "width")).toEqual([]);
  });

  it("pages through a long log 50 at a time, forward and back, each row once", async () => {
    const store = gw.gateway.store;
    const yesterday = Date.now() - 86_400_000;
    store.writeBatch(() => {
      for (let i = 0; i < 120; i++)
        store.passages.insert(
          newPassage({ ts_ms: yesterday + i * 1000, pass_id: `P${String(i).padStart(4, "0")}` }),
        );
    });
    await page.click("nav a[data-view=logs]");
    await page.fill("#log-filters input[name=from]", "");
    await page.selectOption("#log-filters select[name=checkpoint]", "gate-1");
    await page.selectOption("#log-filters select[name=reason]", "");
    await page.selectOption("#log-filters select[name=decision]", "allow");
    await page.click("#log-filters button[type=submit]");
    const ids = () =>
      rows("log-table").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
    const seen: (string | null)[] = [];
    const pages: number[] = [];
    await eventually(async () => ((await rows("log-table").count()) === 50 ? true : undefined));
    for (;;) {
      const page1 = await ids();
      seen.push(...page1);
      pages.push(page1.length);
      if (await page.locator("#log-next").isDisabled()) break;
      await page.click("#log-next");
      await eventually(async () => ((await ids())[0] !== page1[0] ? true : undefined));
    }
    // 120 seeded and the one allowed passage at the north gate from the MQTT readings.
    expect(pages).toEqual([50, 50, 21]);
    expect(new Set(seen).size).toBe(121);
    await expect(page.locator("#log-page").textContent()).resolves.toContain("Page 3");
    const third = await ids();
    await page.click("#log-prev");
    await eventually(async () => ((await ids())[0] !== third[0] ? true : undefined));
    expect(await ids()).toEqual(seen.slice(50, 100));
  });

  it("tells a guard that the page is for admins", async () => {
    const guardPage = await (await browser.newContext()).newPage();
    await guardPage.goto(`${gw.httpUrl}/admin`);
    await guardPage.fill("input[name=username]", "guard1");
    await guardPage.fill("input[name=password]", "guard-pass-1");
    await guardPage.click("#login-form button[type=submit]");
    await guardPage.locator("#not-admin").waitFor({ state: "visible" });
    await expect(guardPage.locator("#desk").isHidden()).resolves.toBe(true);
    await guardPage.close();
  });
});
