import { type Logger, messageOf } from "../common/log.js";
import { findUiDir } from "../common/static-pages.js";
import type { DistrictConfig } from "./config.js";
import { startConsole } from "./console/server.js";
import { serveHealth } from "./health.js";
import { DistrictStore, type StoreOptions } from "./store/store.js";
import { DistrictWorker } from "./worker.js";

/** What the store keeps of what it cannot store, from the config (`limits`). */
function storeOptions(config: DistrictConfig): StoreOptions {
  return {
    deadLettersKept: config.limits.dead_letters_kept,
    quarantineKept: config.limits.quarantine_kept,
    topicPrefix: config.broker.topic_prefix,
  };
}

export interface RunningDistrict {
  worker: DistrictWorker;
  store: DistrictStore;
  consolePort: number | null;
  healthPort: number | null;
  stop(): Promise<void>;
}

/**
 * The district worker's composition root (docs/fleet.md#the-district-workers-every-gateway-into-postgresql): the PostgreSQL store (migrated, waiting for
 * the database if it is not up yet), the worker on the shared subscription, and, where the
 * config asks for them, the console and the health endpoint. `npm run district` and the
 * district demo start it.
 */
export async function startDistrict(config: DistrictConfig, log: Logger): Promise<RunningDistrict> {
  const store = DistrictStore.connect(config.database.url, storeOptions(config));
  for (let attempt = 0; ; attempt++) {
    try {
      await store.migrate();
      break;
    } catch (error) {
      if (attempt === 0)
        log.error(
          { err: messageOf(error) },
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
      : await startConsole({ config, store, log, uiDir: findUiDir() });
  const health =
    config.health.port === undefined
      ? undefined
      : await serveHealth(config.health.host, config.health.port, () => worker.health);
  return {
    worker,
    store,
    consolePort: districtConsole?.port ?? null,
    healthPort: health?.port ?? null,
    async stop() {
      health?.close();
      await districtConsole?.close();
      await worker.stop();
      await store.close();
    },
  };
}

/**
 * Retires this worker for good (`npm run district -- --retire`), through the same store and
 * worker as a running one: what the broker kept for its sessions is taken in, the sessions are
 * ended. Resolves with how many messages were taken in.
 */
export async function retireDistrict(config: DistrictConfig, log: Logger): Promise<number> {
  const store = DistrictStore.connect(config.database.url, storeOptions(config));
  try {
    await store.migrate();
    return await new DistrictWorker(config, store, log).retire();
  } finally {
    await store.close();
  }
}
