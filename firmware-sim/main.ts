#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, loadConfig } from "../gateway/config/load.js";
import { runScenario, type SimDevice } from "./runner.js";
import { SCENARIOS, type ScenarioName, scenario } from "./scenarios.js";

/**
 * The tester's simulator (SPEC 10): `npm run sim -- --scenario fever --seed 7`. Devices and
 * their passwords come from the same config file as the gateway's (or its embedded default).
 */

function number(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("checkpoint-sim")
    .description(
      "Virtual thermometers that drive a Checkpoint Gateway over MQTT with seeded, reproducible scenarios.",
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
      "gateway config to take MQTT thermometers and the broker port from (default: the embedded demo)",
    )
    .option("--url <url>", "broker URL (default: mqtt://127.0.0.1:<port from the config>)")
    .option("--rate <people-per-min>", "arrivals per minute", number("rate", 0.1, 1_000_000), 30)
    .option(
      "--fever-share <0..1>",
      "share of people with a fever (steady)",
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
    .parse(argv);
  const o = program.opts<{
    scenario: ScenarioName;
    seed: number;
    config?: string;
    url?: string;
    rate: number;
    feverShare: number;
    count?: number;
    speed: number;
    quiet?: boolean;
  }>();

  let config: ReturnType<typeof loadConfig>["config"];
  try {
    config = loadConfig({ file: o.config }).config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `checkpoint-sim: invalid configuration:\n  ${error.problems.join("\n  ")}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const thermometers: SimDevice[] = config.devices
    .filter((d) => d.kind === "thermometer" && d.transport === "mqtt" && d.password !== undefined)
    .map((d) => ({ id: d.id, password: d.password as string }));
  if (thermometers.length === 0) {
    process.stderr.write("checkpoint-sim: the config has no MQTT thermometer to simulate\n");
    process.exit(1);
  }
  const url = o.url ?? `mqtt://127.0.0.1:${config.mqtt.port}`;
  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  process.on("SIGTERM", () => controller.abort());
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `scenario ${o.scenario}, seed ${o.seed}, ${thermometers.map((t) => t.id).join(", ")} -> ${url}`,
  );
  const summary = await runScenario({
    url,
    thermometers,
    actions: scenario(o.scenario, {
      seed: o.seed,
      thermometers: thermometers.map((t) => t.id),
      ratePerMin: o.rate,
      feverShare: o.feverShare,
      people: o.count ?? Number.POSITIVE_INFINITY,
    }),
    speed: o.speed,
    runId: `s${o.seed}-${Date.now().toString(36)}`,
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
