#!/usr/bin/env node
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, loadConfig } from "../gateway/config/load.js";
import { isMqttDevice } from "../gateway/config/schema.js";
import { registerPasses } from "./passes.js";
import { mqttTargets, runScenario, type SimDevice, type SimTargets } from "./runner.js";
import { SCENARIOS, type ScenarioName, scenario } from "./scenarios.js";
import { PtyPair } from "./serial/pty.js";
import { serialTargets } from "./serial/targets.js";
import {
  READER_PROTOCOLS,
  type SerialProtocol,
  THERMOMETER_PROTOCOLS,
  VirtualSerialDevice,
} from "./serial/virtual-devices.js";
import { type TerminalProtocol, terminalTargets } from "./terminals/targets.js";

/**
 * The tester's simulator (docs/contract.md#the-simulator). Over MQTT, devices and passwords come from the gateway's
 * config; with `--serial` it makes pseudo-terminal pairs with socat and prints the paths to
 * put in the gateway's config; with `--device <protocol> --path <port>` it drives one serial
 * device by hand on a port you give it.
 */

function number(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

const PROTOCOLS = [...THERMOMETER_PROTOCOLS, ...READER_PROTOCOLS];

interface Options {
  scenario: ScenarioName;
  seed: number;
  config?: string;
  url?: string;
  rate: number;
  feverShare: number;
  count?: number;
  speed: number;
  quiet?: boolean;
  serial?: boolean;
  thermometer: SerialProtocol;
  reader: SerialProtocol;
  ptyDir: string;
  device?: SerialProtocol;
  path?: string;
  registerPasses?: boolean;
  api?: string;
  adminPassword?: string;
  terminal?: TerminalProtocol;
  terminalId?: string;
  terminalPassword?: string;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("checkpoint-sim")
    .description(
      "Virtual thermometers and pass readers that drive a Checkpoint Gateway over MQTT or serial, with seeded, reproducible scenarios.",
    )
    .addOption(
      new Option("-s, --scenario <name>", "scenario to play").choices(SCENARIOS).default("steady"),
    )
    .option(
      "--seed <n>",
      "random seed: the same seed plays the same run",
      number("seed", 0, 2 ** 32 - 1),
      1,
    )
    .option(
      "-c, --config <file>",
      "gateway config to take MQTT devices and the broker port from (default: the embedded demo)",
    )
    .option("--url <url>", "broker URL (default: mqtt://127.0.0.1:<port from the config>)")
    .option("--rate <people-per-min>", "arrivals per minute", number("rate", 0.1, 1_000_000), 30)
    .option(
      "--fever-share <0..1>",
      "share of people with a fever",
      number("fever-share", 0, 1),
      0.05,
    )
    .option(
      "--count <n>",
      "how many people, then stop (default: until Ctrl-C)",
      number("count", 1, 1e9),
    )
    .option("--speed <x>", "play x times faster than real time", number("speed", 0.01, 1e6), 1)
    .option("-q, --quiet", "only progress lines, not one line per message")
    .option(
      "--serial",
      "simulate serial devices on pseudo-terminals made with socat (instead of MQTT)",
    )
    .addOption(
      new Option("--thermometer <protocol>", "serial thermometer protocol")
        .choices(THERMOMETER_PROTOCOLS)
        .default("gy-mcu90614"),
    )
    .addOption(
      new Option("--reader <protocol>", "serial reader protocol")
        .choices(READER_PROTOCOLS)
        .default("rdm6300"),
    )
    .option(
      "--pty-dir <dir>",
      "where to make the pseudo-terminals",
      join(tmpdir(), "checkpoint-sim"),
    )
    .addOption(
      new Option("--device <protocol>", "drive one serial device by hand on --path").choices(
        PROTOCOLS,
      ),
    )
    .option("--path <port>", "the port the --device writes to (a pty end or a real serial port)")
    .option(
      "--register-passes",
      "put the gate scenario's passes in the gateway's registry first (admin login)",
    )
    .option(
      "--api <url>",
      "the gateway's HTTP address for --register-passes (default: http://127.0.0.1:<port from the config>)",
    )
    .addOption(
      new Option(
        "--terminal <protocol>",
        "play the scenario through a virtual network terminal posting to the gateway's HTTP port",
      ).choices(["hikvision", "dahua"]),
    )
    .option(
      "--terminal-id <id>",
      "the terminal's device id in the gateway's config (default: the first http terminal there)",
    )
    .option("--terminal-password <password>", "its password (default: from the gateway's config)")
    .option(
      "--admin-password <password>",
      "the admin password for --register-passes (default: CHECKPOINT_ADMIN_PASSWORD)",
    )
    .parse(argv);
  const o = program.opts<Options>();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const fail: (message: string) => never = (message) => {
    process.stderr.write(`checkpoint-sim: ${message}\n`);
    process.exit(1);
  };

  /** The gateway's config (devices, ports), or one clear line and exit 1. */
  const gatewayConfig = () => {
    try {
      return loadConfig({ file: o.config }).config;
    } catch (error) {
      if (error instanceof ConfigError)
        fail(`invalid configuration:\n  ${error.problems.join("\n  ")}`);
      throw error;
    }
  };

  let targets: SimTargets;
  let thermometerIds = ["thermometer"];
  if (o.device !== undefined) {
    if (o.path === undefined) fail("--device needs --path");
    const device = new VirtualSerialDevice(o.device, o.path);
    await device.open();
    const isThermometer = THERMOMETER_PROTOCOLS.includes(o.device);
    targets = serialTargets({
      thermometer: isThermometer ? device : undefined,
      reader: isThermometer ? undefined : device,
      pairs: [],
      seed: o.seed,
    });
    print(`${o.device} on ${o.path}`);
  } else if (o.terminal !== undefined) {
    const config = gatewayConfig();
    const protocol = o.terminal === "hikvision" ? "hikvision-isapi" : "dahua-http";
    const configured = config?.devices.find(
      (d) =>
        d.transport === "http" &&
        d.protocol === protocol &&
        (o.terminalId === undefined || d.id === o.terminalId),
    );
    const id = o.terminalId ?? configured?.id;
    const password =
      o.terminalPassword ?? (configured?.transport === "http" ? configured.password : undefined);
    if (!id || !password)
      fail(
        `no ${protocol} terminal in the gateway's config: add one, or give --terminal-id and --terminal-password`,
      );
    targets = terminalTargets({
      protocol: o.terminal,
      id,
      password,
      gatewayUrl: o.api ?? `http://127.0.0.1:${config?.http.port ?? 8080}`,
    });
    thermometerIds = [id];
  } else if (o.serial) {
    const thermometerPair = PtyPair.inDir(o.ptyDir, "thermometer");
    const readerPair = PtyPair.inDir(o.ptyDir, "reader");
    await thermometerPair.plug();
    await readerPair.plug();
    const thermometer = new VirtualSerialDevice(o.thermometer, thermometerPair.devicePath);
    const reader = new VirtualSerialDevice(o.reader, readerPair.devicePath);
    await thermometer.open();
    await reader.open();
    targets = serialTargets({
      thermometer,
      reader,
      pairs: [thermometerPair, readerPair],
      seed: o.seed,
    });
    print("serial devices ready; put these in the gateway's config (devices:):");
    print(
      `  - { id: thermo-serial, kind: thermometer, checkpoint: gate-1, transport: serial, protocol: ${o.thermometer}, path: ${thermometerPair.gatewayPath} }`,
    );
    print(
      `  - { id: reader-serial, kind: pass_reader, checkpoint: gate-1, transport: serial, protocol: ${o.reader}, path: ${readerPair.gatewayPath} }`,
    );
  } else {
    const config = gatewayConfig();
    const mqttDevices = (kind: string): SimDevice[] =>
      (config?.devices ?? [])
        .filter(isMqttDevice)
        .filter((d) => d.kind === kind)
        .map((d) => ({ id: d.id, password: d.password }));
    const thermometers = mqttDevices("thermometer");
    if (thermometers.length === 0) fail("the config has no MQTT thermometer to simulate");
    thermometerIds = thermometers.map((t) => t.id);
    const url = o.url ?? `mqtt://127.0.0.1:${config?.mqtt.port ?? 1883}`;
    if (o.registerPasses) {
      const password =
        o.adminPassword ?? process.env.CHECKPOINT_ADMIN_PASSWORD ?? config?.admin_password;
      if (!password)
        fail("--register-passes needs --admin-password (or CHECKPOINT_ADMIN_PASSWORD)");
      await registerPasses(
        o.api ?? `http://127.0.0.1:${config?.http.port ?? 8080}`,
        password,
        print,
      );
    }
    targets = await mqttTargets(
      url,
      thermometers,
      mqttDevices("pass_reader"),
      `s${o.seed}-${Date.now().toString(36)}`,
      mqttDevices("door"),
      print,
    );
  }

  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  process.on("SIGTERM", () => controller.abort());
  print(`scenario ${o.scenario}, seed ${o.seed} -> ${targets.describe()}`);
  const summary = await runScenario({
    targets,
    actions: scenario(o.scenario, {
      seed: o.seed,
      thermometers: thermometerIds,
      ratePerMin: o.rate,
      feverShare: o.feverShare,
      people: o.count ?? Number.POSITIVE_INFINITY,
    }),
    speed: o.speed,
    print,
    verbose: !o.quiet,
    signal: controller.signal,
  });
  process.exitCode = summary.failed > 0 ? 1 : 0;
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`checkpoint-sim: ${(error as Error).message}\n`);
  process.exit(1);
});
