#!/usr/bin/env node
import { Command } from "commander";
import { findUiDir } from "../gateway/api/static.js";
import { createLogger } from "../gateway/log.js";
import { loadDistrictConfig } from "./config.js";
import { startConsole } from "./console.js";
import { serveHealth } from "./health.js";
import { DistrictStore } from "./store.js";
import { DistrictWorker } from "./worker.js";

/**
 * `npm run district -- --config FILE` (SPEC 11): one district worker. Start as many as the
 * district needs, each with its own `worker_id`: they share the stream and any of them can stop
 * or die while the others carry on.
 */
const program = new Command("checkpoint-district")
  .description(
    "A district worker: every gateway's events from the district broker into PostgreSQL.",
  )
  .requiredOption("-c, --config <file>", "the district worker's YAML config")
  .parse();
const options = program.opts<{ config: string }>();
const log = createLogger("info");

let config: ReturnType<typeof loadDistrictConfig>;
try {
  config = loadDistrictConfig(options.config);
} catch (error) {
  process.stderr.write(
    `checkpoint-district: invalid configuration (${options.config}):\n  ${(error as Error).message.split("\n").join("\n  ")}\n`,
  );
  process.exit(1);
}
const store = DistrictStore.connect(config.database.url);
for (let attempt = 0; ; attempt++) {
  try {
    await store.migrate();
    break;
  } catch (error) {
    if (attempt === 0)
      log.error(
        { err: (error as Error).message },
        "the district database cannot be reached yet; retrying",
      );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
const worker = new DistrictWorker(config, store, log);
worker.start();
const districtConsole =
  config.console.port === undefined
    ? undefined
    : await startConsole({ config, pool: store.pool, log, uiDir: findUiDir() });
const health =
  config.health.port === undefined
    ? undefined
    : await serveHealth(config.health.host, config.health.port, () => worker.health);
log.info(
  {
    worker: config.worker_id,
    health: health?.port ?? null,
    console: districtConsole?.port ?? null,
  },
  `district worker ${config.worker_id} started`,
);
const stop = async () => {
  health?.close();
  await districtConsole?.close();
  await worker.stop();
  await store.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
