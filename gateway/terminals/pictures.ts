import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../common/log.js";
import type { TerminalConfig } from "../config/schema.js";
import type { Metrics } from "../metrics.js";
import type { PictureSink } from "./read-body.js";

/**
 * A terminal's pictures: kept in `<dir>/<device_id>/` when its `keep_pictures` says so, else
 * dropped; one over the size limit is dropped, counted and said.
 */
export function pictureSink(
  dir: string,
  device: TerminalConfig,
  metrics: Metrics,
  log: Logger,
): PictureSink {
  let pictures = 0;
  return {
    keep(bytes) {
      if (!device.keep_pictures) return;
      pictures += 1;
      const folder = join(dir, device.id);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${Date.now()}-${pictures}.jpg`), bytes);
    },
    tooLarge(part) {
      metrics.badPayloads.inc({ device: device.id, reason: "picture_too_large" });
      log.warn({ device: device.id, part }, `terminal ${device.id}: a picture over 1 MB, dropped`);
    },
  };
}
