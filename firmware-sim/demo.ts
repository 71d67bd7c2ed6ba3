#!/usr/bin/env node
import { loadConfig } from "../gateway/config/load.js";
import { Gateway } from "../gateway/gateway.js";
import { mqttTargets, runScenario } from "./runner.js";
import { rush } from "./scenarios.js";

/**
 * `npm run demo`: the gateway on its embedded default (broker, SQLite file under ./data,
 * kiosk pages) with a simulated steady crowd, so a newcomer can open the kiosk page and watch
 * readings arrive. Ctrl-C stops both.
 */
async function demo(): Promise<void> {
  const { config, source } = loadConfig();
  const gateway = new Gateway(config);
  await gateway.start();
  const host = config.http.host === "0.0.0.0" ? "localhost" : config.http.host;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const checkpoint = config.checkpoints[0]?.id ?? "gate-1";
  print("");
  print(`Checkpoint Gateway demo (${source})`);
  print(`  kiosk screen:  http://${host}:${gateway.httpPort}/kiosk?checkpoint=${checkpoint}`);
  print(`  health:        http://${host}:${gateway.httpPort}/api/health`);
  print(`  MQTT broker:   mqtt://${host}:${gateway.mqttPort}`);
  print(
    "  simulator:     a morning crowd, about 20 people a minute showing cards, 10% with a fever. Ctrl-C stops.",
  );
  print("");
  const controller = new AbortController();
  const stop = async () => {
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const mqttDevices = (kind: string) =>
    config.devices
      .filter((d) => d.kind === kind && d.transport === "mqtt" && d.password !== undefined)
      .map((d) => ({ id: d.id, password: d.password as string }));
  const thermometers = mqttDevices("thermometer");
  await runScenario({
    targets: await mqttTargets(
      `mqtt://127.0.0.1:${gateway.mqttPort}`,
      thermometers,
      mqttDevices("pass_reader"),
      `demo-${Date.now().toString(36)}`,
    ),
    actions: rush({
      seed: Date.now() % 100_000,
      thermometers: thermometers.map((t) => t.id),
      ratePerMin: 20,
      feverShare: 0.1,
      people: Number.POSITIVE_INFINITY,
    }),
    speed: 1,
    print: (line) => gateway.log.info(`sim: ${line}`),
    verbose: true,
    signal: controller.signal,
  });
  await gateway.stop();
}

demo().catch((error: unknown) => {
  process.stderr.write(`checkpoint-demo: ${(error as Error).message}\n`);
  process.exit(1);
});
