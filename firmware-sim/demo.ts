#!/usr/bin/env node
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, validateConfig } from "../gateway/config/load.js";
import { type GatewayConfig, isMqttDevice } from "../gateway/config/schema.js";
import { Gateway } from "../gateway/gateway.js";
import { districtDemo } from "./district-demo.js";
import { mqttTargets, runScenario, type SimTargets } from "./runner.js";
import { rush } from "./scenarios.js";
import { PtyPair } from "./serial/pty.js";
import { serialTargets } from "./serial/targets.js";
import { VirtualSerialDevice } from "./serial/virtual-devices.js";
import { terminalTargets } from "./terminals/targets.js";

/**
 * `npm run demo`: the gateway on its embedded default (broker, SQLite file under ./data,
 * kiosk pages) with a simulated morning crowd over MQTT, so a newcomer can open the kiosk
 * page and watch readings arrive. `npm run demo -- --serial` adds a GY-MCU90614 thermometer
 * and an RDM6300 card reader on pseudo-terminals (needs socat) and plays the crowd on those;
 * `--terminals` adds a virtual Hikvision and a virtual Dahua face/temperature terminal posting
 * over HTTP, each with its own crowd. `--district` runs a district instead (firmware-sim/
 * district-demo.ts). Ctrl-C stops everything.
 */
const TERMINAL_PASSWORD = "demo-terminal-pass";

async function demo(serial: boolean, terminals: boolean): Promise<void> {
  const loaded = loadConfig();
  let config: GatewayConfig = loaded.config;
  const pairs: PtyPair[] = [];
  if (serial) {
    const dir = join(tmpdir(), "checkpoint-demo");
    pairs.push(PtyPair.inDir(dir, "thermometer"), PtyPair.inDir(dir, "reader"));
    for (const pair of pairs) await pair.plug();
    const checkpoint = config.checkpoints[0]?.id ?? "gate-1";
    config = validateConfig({
      ...config,
      devices: [
        ...config.devices,
        {
          id: "thermo-serial",
          kind: "thermometer",
          checkpoint,
          transport: "serial",
          protocol: "gy-mcu90614",
          path: pairs[0]?.gatewayPath,
        },
        {
          id: "reader-serial",
          kind: "pass_reader",
          checkpoint,
          transport: "serial",
          protocol: "rdm6300",
          path: pairs[1]?.gatewayPath,
        },
      ],
    });
  }
  if (terminals) {
    const checkpoint = config.checkpoints[0]?.id ?? "gate-1";
    config = validateConfig({
      ...config,
      devices: [
        ...config.devices,
        {
          id: "hik-demo",
          checkpoint,
          transport: "http",
          protocol: "hikvision-isapi",
          password: TERMINAL_PASSWORD,
        },
        {
          id: "dahua-demo",
          checkpoint,
          transport: "http",
          protocol: "dahua-http",
          password: TERMINAL_PASSWORD,
        },
      ],
    });
  }
  const gateway = new Gateway(config);
  await gateway.start();
  const host = config.http.host === "0.0.0.0" ? "localhost" : config.http.host;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const checkpoint = config.checkpoints[0]?.id ?? "gate-1";
  print("");
  print(`Checkpoint Gateway demo (${loaded.source}${serial ? ", with serial devices" : ""})`);
  print(`  kiosk screen:  http://${host}:${gateway.httpPort}/kiosk?checkpoint=${checkpoint}`);
  print(`  guard console: http://${host}:${gateway.httpPort}/guard`);
  print(`  admin pages:   http://${host}:${gateway.httpPort}/admin`);
  print(`  health:        http://${host}:${gateway.httpPort}/api/health`);
  print(`  MQTT broker:   mqtt://${host}:${gateway.mqttPort}`);
  if (terminals)
    print(
      `  terminals:     hik-demo and dahua-demo post to http://${host}:${gateway.httpPort}/ingest/{hikvision,dahua}/... (a crowd each)`,
    );
  if (serial)
    print(
      `  serial ports:  ${pairs.map((p) => p.gatewayPath).join(", ")} (socat pseudo-terminals)`,
    );
  print(
    `  simulator:     a morning crowd over ${serial ? "serial" : "MQTT"}, about 20 people a minute showing cards, 10% with a fever. Ctrl-C stops.`,
  );
  print("");
  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  process.on("SIGTERM", () => controller.abort());

  const mqttDevices = (kind: string) =>
    config.devices
      .filter(isMqttDevice)
      .filter((d) => d.kind === kind)
      .map((d) => ({ id: d.id, password: d.password }));
  const thermometers = mqttDevices("thermometer");
  let targets: SimTargets;
  if (serial) {
    const thermometer = new VirtualSerialDevice("gy-mcu90614", pairs[0]?.devicePath ?? "");
    const reader = new VirtualSerialDevice("rdm6300", pairs[1]?.devicePath ?? "");
    await thermometer.open();
    await reader.open();
    targets = serialTargets({ thermometer, reader, pairs, seed: Date.now() % 100_000 });
  } else {
    targets = await mqttTargets(
      `mqtt://127.0.0.1:${gateway.mqttPort}`,
      thermometers,
      mqttDevices("pass_reader"),
      `demo-${Date.now().toString(36)}`,
    );
  }
  const crowdAt = (where: SimTargets, ids: string[]) =>
    runScenario({
      targets: where,
      actions: rush({
        seed: Date.now() % 100_000,
        thermometers: ids,
        ratePerMin: 20,
        feverShare: 0.1,
        people: Number.POSITIVE_INFINITY,
      }),
      speed: 1,
      print: (line) => gateway.log.info(`sim: ${line}`),
      verbose: true,
      signal: controller.signal,
    });
  const terminalCrowds = terminals
    ? (["hikvision", "dahua"] as const).map((protocol) => {
        const id = protocol === "hikvision" ? "hik-demo" : "dahua-demo";
        return crowdAt(
          terminalTargets({
            protocol,
            id,
            password: TERMINAL_PASSWORD,
            gatewayUrl: `http://127.0.0.1:${gateway.httpPort}`,
          }),
          [id],
        );
      })
    : [];
  await crowdAt(
    targets,
    thermometers.map((t) => t.id),
  );
  await Promise.all(terminalCrowds);
  await gateway.stop();
}

(process.argv.includes("--district")
  ? districtDemo()
  : demo(process.argv.includes("--serial"), process.argv.includes("--terminals"))
).catch((error: unknown) => {
  process.stderr.write(`checkpoint-demo: ${(error as Error).message}\n`);
  process.exit(1);
});
