import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../common/log.js";
import { districtConfigSchema } from "../district/config.js";
import { startDistrict } from "../district/district.js";
import { validateConfig } from "../gateway/config/load.js";
import { Gateway } from "../gateway/gateway.js";
import { startMosquitto } from "./parts/mosquitto.js";
import { startPostgres } from "./parts/postgres.js";
import { mqttTargets, runScenario } from "./runner.js";
import { steady } from "./scenarios.js";

/**
 * `npm run demo -- --district`: a district on this machine. PostgreSQL (a cluster of its own,
 * made with `initdb` in a temporary folder) and Mosquitto (the district broker, with the
 * project's example config) are started the way the tests start them; three gateways, each a
 * site with a crowd at its gate, forward to that broker; a district worker takes everything into
 * PostgreSQL and serves the district console. Ctrl-C stops everything and removes the folder.
 */
const SITES = [
  { gateway: "gw-north", site: "site-north", name: "北苑社区 North Park", rate: 40 },
  { gateway: "gw-east", site: "site-east", name: "东城地铁站 East Station", rate: 60 },
  { gateway: "gw-south", site: "site-south", name: "南湖写字楼 South Lake Offices", rate: 20 },
];
const CONSUMER = { username: "district-consumer", password: randomBytes(9).toString("base64url") };
const DEVICE_PASSWORD = "demo-device-pass";

export async function districtDemo(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "checkpoint-district-demo-"));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const stops: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    print("starting PostgreSQL (initdb in a temporary folder) and Mosquitto ...");
    const postgres = await startPostgres(dir);
    stops.push(() => postgres.stop());
    await postgres.createDatabase("district");
    const upstreamPasswords = Object.fromEntries(
      SITES.map((s) => [s.gateway, randomBytes(9).toString("base64url")]),
    );
    const broker = await startMosquitto(dir, {
      ...upstreamPasswords,
      [CONSUMER.username]: CONSUMER.password,
    });
    stops.push(() => broker.stop());
    // One password for the console's admin and each gateway's pages' admin.
    const adminPassword = randomBytes(9).toString("base64url");
    const district = await startDistrict(
      districtConfigSchema.parse({
        worker_id: "demo-worker",
        broker: { url: `mqtt://127.0.0.1:${broker.port}`, ...CONSUMER },
        database: { url: postgres.url("district") },
        console: { port: 0, host: "127.0.0.1", admin_password: adminPassword },
      }),
      createLogger("warn"),
    );
    stops.push(() => district.stop());
    // The district's registry: each gateway belongs to its site, under the site's name.
    for (const site of SITES)
      await district.store.register(
        { gatewayId: site.gateway, siteId: site.site, siteName: site.name, enabled: true },
        "demo",
      );
    const gateways: Gateway[] = [];
    for (const site of SITES) {
      const home = join(dir, site.gateway);
      mkdirSync(home);
      const gateway = new Gateway(
        validateConfig({
          gateway_id: site.gateway,
          log_level: "warn",
          admin_password: adminPassword,
          site: { id: site.site, name: site.name, timezone: "Asia/Shanghai" },
          http: { host: "127.0.0.1", port: 0 },
          mqtt: { host: "127.0.0.1", port: 0 },
          database: { path: join(home, "checkpoint.db") },
          checkpoints: [{ id: "gate-1", name: "大门 Main gate" }],
          devices: [
            {
              id: "thermo-1",
              kind: "thermometer",
              checkpoint: "gate-1",
              password: DEVICE_PASSWORD,
            },
          ],
          upstream: {
            url: `mqtt://127.0.0.1:${broker.port}`,
            username: site.gateway,
            password: upstreamPasswords[site.gateway],
            topic_prefix: "district",
          },
        }),
      );
      await gateway.start();
      stops.push(() => gateway.stop());
      gateways.push(gateway);
    }
    print("");
    print("Checkpoint Gateway district demo");
    print(`  district console: http://127.0.0.1:${district.consolePort}/district`);
    print(`  log in as:        admin / ${adminPassword} (the console and every gateway's pages)`);
    for (const [i, site] of SITES.entries())
      print(
        `  ${site.gateway.padEnd(9)} ${site.name}: http://127.0.0.1:${gateways[i]?.httpPort}/admin, about ${site.rate} people a minute, 10% with a fever`,
      );
    print(`  PostgreSQL:       ${postgres.url("district")}`);
    print(`  district broker:  mqtt://127.0.0.1:${broker.port}`);
    print("  Ctrl-C stops everything.");
    print("");
    const controller = new AbortController();
    process.once("SIGINT", () => controller.abort());
    process.once("SIGTERM", () => controller.abort());
    await Promise.all(
      SITES.map(async (site, i) => {
        const targets = await mqttTargets(
          `mqtt://127.0.0.1:${gateways[i]?.mqttPort}`,
          [{ id: "thermo-1", password: DEVICE_PASSWORD }],
          [],
          `demo-${site.gateway}`,
        );
        await runScenario({
          targets,
          actions: steady({
            seed: (Date.now() + i) % 100_000,
            thermometers: ["thermo-1"],
            ratePerMin: site.rate,
            feverShare: 0.1,
            people: Number.POSITIVE_INFINITY,
          }),
          speed: 1,
          print: () => {},
          verbose: false,
          signal: controller.signal,
        });
      }),
    );
  } finally {
    await stopAll();
  }
}
