#!/usr/bin/env node
import { Command } from "commander";
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from "./config/load.js";
import { Gateway } from "./gateway.js";

/**
 * Process entry (SPEC 9): parse the command line, load and validate the config, start the
 * gateway, stop it cleanly on SIGINT/SIGTERM, read the config again on SIGHUP. A bad config or
 * a failed start is one clear message and exit code 1; a bad config at a reload is one clear
 * log line and the running config stays.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("checkpoint-gateway")
    .description(
      "Entrance checkpoint gateway: screens temperatures from MQTT and serial devices, stores them in SQLite and pushes them live to the kiosk screen.",
    )
    .option(
      "-c, --config <file>",
      `YAML config file (default: ${DEFAULT_CONFIG_FILE} if it exists, else the embedded demo default)`,
    )
    .addHelpText(
      "after",
      "\nEnvironment: CHECKPOINT_<PATH> overrides a config field, '__' between levels\n  (CHECKPOINT_HTTP__PORT=8081, CHECKPOINT_ADMIN_PASSWORD=...).",
    )
    .parse(argv);
  const options = program.opts<{ config?: string }>();

  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ file: options.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `checkpoint-gateway: invalid configuration (${options.config ?? "default"}):\n`,
      );
      for (const problem of error.problems) process.stderr.write(`  ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }

  const gateway = new Gateway(loaded.config, {
    loadConfig: () => loadConfig({ file: options.config }).config,
  });
  gateway.log.info({ source: loaded.source }, `configuration from ${loaded.source}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.log.info(`${signal}: stopping`);
    await gateway.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // The usual way to make a daemon read its config again; the audit names the signal as actor.
  process.on("SIGHUP", () => {
    if (!stopping) gateway.reloadConfig("SIGHUP");
  });
  try {
    await gateway.start();
  } catch (error) {
    process.stderr.write(`checkpoint-gateway: cannot start: ${(error as Error).message}\n`);
    await gateway.stop();
    process.exit(1);
  }
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`checkpoint-gateway: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
