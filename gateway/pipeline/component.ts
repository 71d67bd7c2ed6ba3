import { PRIORITY } from "../../common/upstream-routes.js";
import type { ComponentFactory } from "../core.js";
import { BackupJob } from "./backup-job.js";
import { SummaryReportJob } from "./daily-summary.js";
import { RetentionJob } from "./retention.js";

/** The write path's pairing-window checks and its last commit on stop. */
export const ingestComponent: ComponentFactory = ({ ingest }) => ({
  name: "ingest",
  start: () => ingest.start(),
  stop: () => ingest.stop(),
});

/** Old rows deleted after `retention_days` (a reload changes the days at once). */
export const retentionComponent: ComponentFactory = (core) => {
  const retention = new RetentionJob({
    store: core.store,
    log: core.logger("retention"),
    retentionDays: core.config.retention_days,
    timeZone: core.config.site.timezone,
  });
  core.reloader.onApplied((next) => retention.setRetentionDays(next.retention_days));
  return { name: "retention", start: () => retention.start(), stop: () => retention.stop() };
};

/** The daily backup (`backup.dir`), when set: its last file and failure in health. */
export const backupComponent: ComponentFactory = (core) => {
  const { backup, site } = core.config;
  if (backup.dir === undefined) return undefined;
  const job = new BackupJob({
    store: core.store,
    log: core.logger("backup"),
    dir: backup.dir,
    keep: backup.keep,
    atHour: backup.at_hour,
    timeZone: site.timezone,
  });
  core.hooks.backups = job;
  core.hooks.health.set("backup", () => ({ last: job.last, error: job.lastError }));
  return { name: "daily backup", start: () => job.start(), stop: () => job.stop() };
};

/**
 * Each day's report per checkpoint, queued for the district (docs/contract.md#upstream-the-district `summary`): only with an
 * upstream, since the gateway's own report is computed on request (`/api/summary/daily`).
 */
export const summaryReportComponent: ComponentFactory = (core) => {
  const { config } = core;
  if (!config.upstream) return undefined;
  const summaries = new SummaryReportJob({
    store: core.store,
    log: core.logger("summary"),
    checkpoints: config.checkpoints,
    gatewayId: config.gateway_id,
    siteId: config.site.id,
    timeZone: config.site.timezone,
    priority: PRIORITY.summary,
  });
  return { name: "summary-report", start: () => summaries.start(), stop: () => summaries.stop() };
};
