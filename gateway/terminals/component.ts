import { dirname, join } from "node:path";
import type { TerminalConfig } from "../config/schema.js";
import type { ComponentFactory } from "../core.js";
import { TerminalAuthenticator } from "./authorize.js";
import { HikvisionGapFill } from "./gap-fill.js";
import { terminalIngestRouter } from "./ingest-router.js";
import { PictureRetention } from "./picture-retention.js";
import { PictureStore } from "./pictures.js";
import { TerminalPresence } from "./presence.js";
import { submitTerminalEvent } from "./submit.js";

/**
 * The face/temperature terminals a site owns (docs/contract.md#network-terminals-over-http), when any is configured: their
 * notifications on `/ingest/<vendor>/<device>`, online while they post or beat, and the
 * Hikvision gap fill for those with an `isapi_url`.
 */
export const terminalsComponent: ComponentFactory = (core) => {
  const terminals = core.config.devices.filter(
    (device): device is TerminalConfig => device.transport === "http",
  );
  if (terminals.length === 0) return undefined;
  const { ingest, clock } = core;
  const log = core.logger("terminals");
  const presence = new TerminalPresence({
    terminals,
    setOnline: (deviceId, online, reason) => ingest.setDeviceOnline(deviceId, online, reason),
  });
  const searchable = terminals.filter(
    (t): t is Extract<TerminalConfig, { protocol: "hikvision-isapi" }> =>
      t.protocol === "hikvision-isapi" && t.isapi_url !== undefined,
  );
  const gapFill =
    searchable.length > 0
      ? new HikvisionGapFill({
          terminals: searchable,
          submit: (deviceId, event) => submitTerminalEvent({ ingest, clock }, deviceId, event),
          raiseGap: (terminal) =>
            ingest.submitAlert({
              kind: "terminal_gap",
              checkpoint_id: terminal.checkpoint,
              device_id: terminal.id,
              passage_id: null,
              reading_id: null,
              pass_id: null,
              temp_c: null,
              ts_ms: Date.now(),
            }),
          log,
        })
      : undefined;
  const auth = new TerminalAuthenticator(core.store.audit, core.metrics, log);
  // Kept pictures go beside the database, a folder per terminal.
  const pictures = new PictureStore(
    join(dirname(core.config.database.path), "pictures"),
    core.config.pictures.max_mb * 1024 * 1024,
    core.metrics,
    log,
  );
  const pictureRetention = new PictureRetention({
    pictures,
    log,
    retentionDays: core.config.retention_days,
    timeZone: core.config.site.timezone,
  });
  core.hooks.health.set("pictures", () => pictures.health());
  core.hooks.rawRouters.push({
    path: "/ingest",
    router: terminalIngestRouter({
      devices: core.devices,
      ingest,
      clock,
      auth,
      presence,
      pictures,
      metrics: core.metrics,
      log,
      ...(gapFill ? { delivered: (deviceId, events) => gapFill.delivered(deviceId, events) } : {}),
    }),
  });
  return {
    name: "terminals",
    start: () => {
      auth.start();
      if (terminals.some((t) => t.keep_pictures)) {
        pictures.load();
        pictureRetention.start();
      }
      presence.start();
    },
    stop: async () => {
      pictureRetention.stop();
      presence.stop();
      auth.stop();
      await gapFill?.stop();
    },
  };
};
