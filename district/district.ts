import { type Logger, messageOf } from "../common/log.js";
import { findUiDir } from "../common/static-pages.js";
import type { DistrictConfig } from "./config.js";
import { startConsole } from "./console/server.js";
import { serveHealth } from "./health.js";
import { sweepOlderThan } from "./store/retention.js";
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
  const retention = keepRetention(config, store, log);
  const districtConsole =
    config.http.port === undefined
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
      clearInterval(retention);
      health?.close();
      await districtConsole?.close();
      await worker.stop();
      await store.close();
    },
  };
}

/** How often a worker sweeps what is past `retention_days` (any one of them at a time). */
const SWEEP_EVERY_MS = 3_600_000;

/** Sweeps now and every hour (district/store/retention.ts). */
function keepRetention(config: DistrictConfig, store: DistrictStore, log: Logger): NodeJS.Timeout {
  const sweep = () =>
    void sweepOlderThan(store.pool, Date.now() - config.retention_days * 86_400_000).then(
      (counts) => {
        const deleted = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
        if (deleted.length > 0)
          log.info(
            Object.fromEntries(deleted),
            `deleted what is older than ${config.retention_days} days (retention_days)`,
          );
      },
      (error: unknown) =>
        log.warn({ err: messageOf(error) }, "the retention sweep failed; it runs again in an hour"),
    );
  sweep();
  return setInterval(sweep, SWEEP_EVERY_MS).unref();
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
