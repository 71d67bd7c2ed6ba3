import { messageOf } from "../../common/log.js";
import { ConfigError, loadConfig } from "../config/load.js";
import { Gateway } from "../gateway.js";

/**
 * Runs the gateway: load and validate the config, start, stop cleanly on SIGINT/SIGTERM, read
 * the config again on SIGHUP. A bad config or a failed start is one clear message and exit
 * code 1; a bad config at a reload is one clear log line and the running config stays.
 */
export async function runGateway(file: string | undefined): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ file });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`checkpoint-gateway: invalid configuration (${file ?? "default"}):\n`);
      for (const problem of error.problems) process.stderr.write(`  ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }

  const gateway = new Gateway(loaded.config, {
    loadConfig: () => loadConfig({ file }).config,
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
    process.stderr.write(`checkpoint-gateway: cannot start: ${messageOf(error)}\n`);
    await gateway.stop();
    process.exit(1);
  }
}
