#!/usr/bin/env node
import { Command } from "commander";
import { createLogger, messageOf } from "../common/log.js";
import { loadDistrictConfig } from "./config.js";
import { retireDistrict, startDistrict } from "./district.js";

/**
 * `npm run district -- --config FILE` (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): one district worker. Start as many as the
 * district needs, each with its own `worker_id`: they share the stream and any of them can stop
 * or die while the others carry on.
 */
const program = new Command("checkpoint-district")
  .description(
    "A district worker: every gateway's events from the district broker into PostgreSQL.",
  )
  .requiredOption("-c, --config <file>", "the district worker's YAML config")
  .option(
    "--retire",
    "retire this worker for good: take in what the broker kept for its sessions, end them, exit",
  )
  .parse();
const options = program.opts<{ config: string; retire?: boolean }>();
const log = createLogger("info");

let config: ReturnType<typeof loadDistrictConfig>;
try {
  config = loadDistrictConfig(options.config);
} catch (error) {
  process.stderr.write(
    `checkpoint-district: invalid configuration (${options.config}):\n  ${messageOf(error).split("\n").join("\n  ")}\n`,
  );
  process.exit(1);
}
if (options.retire) {
  const taken = await retireDistrict(config, log);
  log.info(
    { worker: config.worker_id, taken },
    `district worker ${config.worker_id} retired: ${taken} message(s) its sessions held were taken in, and its sessions ended`,
  );
  process.exit(0);
}
const district = await startDistrict(config, log);
log.info(
  { worker: config.worker_id, health: district.healthPort, console: district.consolePort },
  `district worker ${config.worker_id} started`,
);
const stop = async () => {
  await district.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
