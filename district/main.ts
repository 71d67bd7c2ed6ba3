#!/usr/bin/env node
import cluster from "node:cluster";
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
  .requiredOption(
    "-c, --config <file>",
    "the district worker's YAML config (DISTRICT_ variables override it: DISTRICT_HTTP__PORT=8090)",
  )
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
const workers = config.broker.workers;
/** The name of the n-th of `broker.workers` processes (1-based): `<worker_id>-<n>`. */
const nthWorker = (n: number) => `${config.worker_id}-${n}`;

if (options.retire) {
  // Each of the processes `broker.workers` starts has sessions of its own under its name.
  const ids =
    workers === 1 ? [config.worker_id] : [...Array(workers).keys()].map((i) => nthWorker(i + 1));
  for (const worker_id of ids) {
    const taken = await retireDistrict({ ...config, worker_id }, log);
    log.info(
      { worker: worker_id, taken },
      `district worker ${worker_id} retired: ${taken} message(s) its sessions held were taken in, and its sessions ended`,
    );
  }
  process.exit(0);
}

if (workers > 1 && cluster.isPrimary) superviseWorkers();
else await runWorker();

/**
 * `broker.workers` > 1: this process starts that many workers (node:cluster, so they share the
 * HTTP port, each its own health port `health.port + n - 1` when one is set) and starts again,
 * after a second, one that exits when it was not told to stop.
 */
function superviseWorkers(): void {
  let stopping = false;
  const fork = (n: number) => {
    const env: Record<string, string> = {
      DISTRICT_WORKER_ID: nthWorker(n),
      DISTRICT_BROKER__WORKERS: "1",
    };
    const port = config.health.port;
    if (port !== undefined && port !== 0) env.DISTRICT_HEALTH__PORT = String(port + n - 1);
    const child = cluster.fork(env);
    child.on("exit", (code, signal) => {
      if (stopping) return;
      log.error(
        { worker: nthWorker(n), code, signal },
        `district worker ${nthWorker(n)} exited unplanned; starting it again`,
      );
      setTimeout(() => fork(n), 1000);
    });
  };
  for (let n = 1; n <= workers; n++) fork(n);
  const stop = () => {
    stopping = true;
    const running = Object.values(cluster.workers ?? {});
    let left = running.length;
    if (left === 0) process.exit(0);
    for (const child of running) {
      child?.once("exit", () => {
        if (--left === 0) process.exit(0);
      });
      child?.process.kill("SIGTERM");
    }
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function runWorker(): Promise<void> {
  const district = await startDistrict(config, log);
  log.info(
    {
      worker: config.worker_id,
      pid: process.pid,
      health: district.healthPort,
      console: district.consolePort,
    },
    `district worker ${config.worker_id} started`,
  );
  const stop = async () => {
    await district.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  // Under the supervisor, Ctrl-C reaches every process of the group: the supervisor stops them.
  process.on("SIGINT", () => (cluster.isWorker ? undefined : void stop()));
}
