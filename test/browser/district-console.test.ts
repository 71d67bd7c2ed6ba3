import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type Postgres, startPostgres } from "../../firmware-sim/parts/postgres.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { launchChromium, layoutProblems, screenshot } from "../helpers/browser.js";
import { publishQos1 } from "../helpers/device.js";
import { registerGateways } from "../helpers/district-worker.js";
import { type Mosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { type GatewayProcess, PROJECT_ROOT, stopProcess } from "../helpers/process.js";
import { spawnSiteGateway } from "../helpers/site-gateway.js";

/** The district console in Chromium, fed by real gateways through Mosquitto and PostgreSQL. */
let dir: string;
let postgres: Postgres;
let broker: Mosquitto;
let worker: ChildProcess;
let consolePort = 0;
const gateways = new Map<string, GatewayProcess>();
const thermometers = new Map<string, MqttClient>();
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-district-console-"));
  postgres = await startPostgres(dir);
  await postgres.createDatabase("district");
  broker = await startMosquitto(dir, {
    "gw-north": "north-upstream-pass",
    "gw-south": "south-upstream-pass",
    "gw-west": "west-upstream-pass",
    "district-consumer": "consumer-pass",
  });
  const file = join(dir, "district.yaml");
  writeFileSync(
    file,
    stringify({
      worker_id: "console-1",
      broker: {
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: "district-consumer",
        password: "consumer-pass",
        connections: 4,
      },
      database: { url: postgres.url("district") },
      console: { port: 0, host: "127.0.0.1", admin_password: "district-admin-pass" },
    }),
  );
  worker = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "dist/district/main.js"), "--config", file],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  consolePort = await new Promise<number>((resolve) => {
    let out = "";
    worker.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const port = /"console":(\d+)/.exec(out)?.[1];
      if (port) resolve(Number(port));
    });
  });
  await registerGateways(postgres.url("district"), [
    { gatewayId: "gw-north", siteId: "north-garden", siteName: "北苑社区 North Garden" },
    { gatewayId: "gw-south", siteId: "south-lake", siteName: "南湖写字楼 South Lake" },
  ]);
  for (const [id, site] of [
    ["gw-north", "north-garden"],
    ["gw-south", "south-lake"],
  ] as const) {
    const { gateway, thermometer } = await spawnSiteGateway(dir, id, site, {
      brokerPort: broker.port,
      password: `${id.slice(3)}-upstream-pass`,
    });
    gateways.set(id, gateway);
    thermometers.set(id, thermometer);
  }
  // A morning at both sites before the district looks.
  for (const [id, temps] of [
    ["gw-north", [36.5, 36.6, 36.7]],
    ["gw-south", [36.4, 36.8]],
  ] as const)
    for (const temp_c of temps)
      await publishQos1(
        thermometers.get(id) as MqttClient,
        deviceTopic("thermo-1", "temperature"),
        { temp_c },
      );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const client of thermometers.values()) await client.endAsync(true);
  for (const gateway of gateways.values()) await stopProcess(gateway.child, "SIGKILL");
  worker?.kill("SIGTERM");
  await broker?.stop();
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the district console", () => {
  it("logs in and shows every site's gateway and today's counts", async () => {
    await page.goto(`http://127.0.0.1:${consolePort}/district`);
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", "district-admin-pass");
    await page.click("#login-form button[type=submit]");
    await page.locator('body[data-connection="online"]').waitFor();
    await page.locator('#gateways tr[data-gateway="gw-south"]').waitFor();
    // Names first, ids after them.
    await expect(
      page.locator('#gateways tr[data-gateway="gw-north"] td.site').textContent(),
    ).resolves.toBe("北苑社区 North Gardennorth-garden");
    await page.locator('#today tr[data-site="north-garden"]', { hasText: "3" }).waitFor();
    await expect(
      page.locator('#today tr[data-site="north-garden"] td.site').textContent(),
    ).resolves.toContain("北苑社区");
    await screenshot(page, "district-1-overview");
    expect(await layoutProblems(page, 12, "width")).toEqual([]);
  });

  it("shows a fever at any site as it happens, without a reload", async () => {
    await publishQos1(
      thermometers.get("gw-south") as MqttClient,
      deviceTopic("thermo-1", "temperature"),
      { temp_c: 38.7 },
    );
    await page.locator("#fevers li.fever", { hasText: "38.7 °C" }).waitFor({ timeout: 15_000 });
    await expect(page.locator("#fevers li.fever").first().textContent()).resolves.toContain(
      // The checkpoint's name from the summary the gateway sent at its start, its id after it.
      "南湖写字楼 South Lake · gw-south · Gate gate-1",
    );
    await expect(page.locator("#fever-count").textContent()).resolves.toBe("1");
    await screenshot(page, "district-2-live-fever");
  });

  it("shows a gateway going offline (its last will)", async () => {
    await stopProcess((gateways.get("gw-north") as GatewayProcess).child, "SIGKILL");
    await page
      .locator('#gateways tr[data-gateway="gw-north"][data-online="false"]')
      .waitFor({ timeout: 15_000 });
    await expect(
      page.locator('#gateways tr[data-gateway="gw-north"]').textContent(),
    ).resolves.toContain("离线");
    await screenshot(page, "district-3-gateway-offline");
  });

  it("gives the day's report per site and in total, and exports it for Excel, audited", async () => {
    await page.click("#report-form button[type=submit]");
    await page.locator("#report tfoot tr", { hasText: "合计" }).waitFor();
    const total = await page.locator("#report tfoot td").allTextContents();
    expect(total).toEqual(["合计 Total", "6", "5", "1", "1"]);
    await screenshot(page, "district-4-daily-report");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync((await download.path()) as string, "utf8")
      .slice(1)
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "编号 id,时间 time,站点 site,站点编号 site id,网关 gateway,检查点 checkpoint,检查点编号 checkpoint id,体温 temp_c,结果 decision,原因 reasons",
    );
    expect(lines).toHaveLength(7);
    expect(
      lines.filter((line) => line.includes(",北苑社区 North Garden,north-garden,gw-north,")),
    ).toHaveLength(3);
    const audit = (await page.evaluate("fetch('/district/api/audit').then((r) => r.json())")) as {
      items: { actor: string; action: string; details: { rows: number } }[];
    };
    expect(audit.items[0]).toMatchObject({
      actor: "admin",
      action: "export",
      details: { rows: 6 },
    });
  });
  it("lets an admin add a viewer, who sees the district but not its accounts, and remove them", async () => {
    await page.locator("#accounts").waitFor();
    await page.fill("#user-form input[name=username]", "duty-officer");
    await page.fill("#user-form input[name=password]", "viewer-pass-1");
    await page.selectOption("#user-form select[name=role]", "viewer");
    await page.click("#user-form button[type=submit]");
    await page.locator('#users tr[data-user="duty-officer"]').waitFor();
    await screenshot(page, "district-5-accounts");

    const viewerContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const viewer = await viewerContext.newPage();
    await viewer.goto(`http://127.0.0.1:${consolePort}/district`);
    await viewer.fill("input[name=username]", "duty-officer");
    await viewer.fill("input[name=password]", "viewer-pass-1");
    await viewer.click("#login-form button[type=submit]");
    await viewer.locator("#report tfoot tr", { hasText: "合计" }).waitFor();
    await expect(viewer.locator("#who").textContent()).resolves.toContain("查看 viewer");
    expect(await viewer.locator("#accounts").isHidden()).toBe(true);
    const asViewer = (script: string) => viewer.evaluate(script) as Promise<number>;
    await expect(
      asViewer(
        `fetch('/district/api/users', { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'x', password: 'long-enough', role: 'admin' }) }).then((r) => r.status)`,
      ),
    ).resolves.toBe(403);
    await expect(asViewer("fetch('/district/api/audit').then((r) => r.status)")).resolves.toBe(403);

    // The last admin cannot remove themself; removing the viewer ends the viewer's session.
    await expect(
      page.evaluate(
        "fetch('/district/api/users/admin', { method: 'DELETE' }).then((r) => r.status)",
      ),
    ).resolves.toBe(409);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click('#users tr[data-user="duty-officer"] button');
    await page.locator('#users tr[data-user="duty-officer"]').waitFor({ state: "detached" });
    await expect(asViewer("fetch('/district/api/overview').then((r) => r.status)")).resolves.toBe(
      401,
    );
    await viewerContext.close();
    const audit = (await page.evaluate("fetch('/district/api/audit').then((r) => r.json())")) as {
      items: { action: string; details: { username?: string } }[];
    };
    expect(audit.items.slice(0, 2)).toMatchObject([
      { action: "user_delete", details: { username: "duty-officer" } },
      { action: "user_create", details: { username: "duty-officer" } },
    ]);
  });
  it("lets an admin register a gateway the district did not know, whose waiting events then count", async () => {
    const { gateway, thermometer } = await spawnSiteGateway(dir, "gw-west", "west-gate", {
      brokerPort: broker.port,
      password: "west-upstream-pass",
    });
    gateways.set("gw-west", gateway);
    thermometers.set("gw-west", thermometer);
    await publishQos1(thermometer, deviceTopic("thermo-1", "temperature"), { temp_c: 36.6 });
    await page.reload();
    await page.locator('#quarantine li[data-quarantined="gw-west"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#gateways tr[data-gateway="gw-west"]').count()).toBe(0);
    await screenshot(page, "district-6-unregistered-gateway");
    await page.click('#quarantine li[data-quarantined="gw-west"] button');
    await expect(page.locator("#registry-form input[name=site_id]").inputValue()).resolves.toBe(
      "west-gate",
    );
    await page.fill("#registry-form input[name=site_name]", "西门小区 West Gate");
    await page.click("#registry-form button[type=submit]");
    await page.locator('#registered tr[data-registered="gw-west"]').waitFor();
    await page.locator('#gateways tr[data-gateway="gw-west"]', { hasText: "西门小区" }).waitFor();
    await page.locator('#today tr[data-site="west-gate"]', { hasText: "1" }).waitFor();
    expect(await page.locator('#quarantine li[data-quarantined="gw-west"]').count()).toBe(0);
    await screenshot(page, "district-7-registered");
  });

  it("fits a phone (390x844) and a laptop (1366x768) with no sideways scroll", async () => {
    for (const [width, height] of [
      [390, 844],
      [1366, 768],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.locator('#gateways tr[data-gateway="gw-north"]').waitFor();
      expect(await layoutProblems(page, 12, "width")).toEqual([]);
      await screenshot(page, `district-8-${width}x${height}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("keeps showing fevers live after PostgreSQL restarts under the console", async () => {
    postgres.stop();
    postgres.start();
    await publishQos1(
      thermometers.get("gw-south") as MqttClient,
      deviceTopic("thermo-1", "temperature"),
      {
        temp_c: 39.1,
      },
    );
    await page.locator("#fevers li", { hasText: "39.1 °C" }).waitFor({ timeout: 30_000 });
  });

  // Last: it locks this address out of logging in for 15 minutes.
  it("throttles password guessing: after 5 failures, 429 with Retry-After", async () => {
    const attempt = () =>
      fetch(`http://127.0.0.1:${consolePort}/district/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "a-wrong-guess" }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
