import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../common/log.js";
import { Metrics } from "../../../gateway/metrics.js";
import { PictureRetention } from "../../../gateway/terminals/picture-retention.js";
import { PictureStore } from "../../../gateway/terminals/pictures.js";

/** Kept pictures and retention: pictures written before the events' cutoff are deleted. */
const DAY = 86_400_000;
const NOW = Date.parse("2026-12-04T04:00:00Z");
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-pictures-unit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A picture file on disk, written `daysAgo` days before NOW. */
function onDisk(device: string, name: string, daysAgo: number): void {
  mkdirSync(join(dir, device), { recursive: true });
  const path = join(dir, device, name);
  writeFileSync(path, Buffer.alloc(100));
  const at = new Date(NOW - daysAgo * DAY);
  utimesSync(path, at, at);
}

describe("picture retention", () => {
  it.each([
    [30, ["hik-1/3-1.jpg", "hik-1/4-1.jpg", "hik-2/6-1.jpg"]],
    [45, ["hik-1/2-1.jpg", "hik-1/3-1.jpg", "hik-1/4-1.jpg", "hik-2/6-1.jpg"]],
    [1, ["hik-1/4-1.jpg"]],
  ])("retention_days %i keeps what was written since the cutoff's local midnight", (days, kept) => {
    onDisk("hik-1", "1-1.jpg", 60);
    onDisk("hik-1", "2-1.jpg", 40);
    onDisk("hik-1", "3-1.jpg", 29);
    onDisk("hik-1", "4-1.jpg", 0);
    onDisk("hik-2", "6-1.jpg", 10);
    const pictures = new PictureStore(dir, 1e9, new Metrics(), createLogger("silent"));
    pictures.load();
    new PictureRetention({
      pictures,
      log: createLogger("silent"),
      retentionDays: days,
      timeZone: "Asia/Shanghai",
      now: () => NOW,
    }).runIfDue();
    const left = readdirSync(dir).flatMap((device) =>
      readdirSync(join(dir, device)).map((f) => `${device}/${f}`),
    );
    expect(left.sort()).toEqual(kept);
    expect(pictures.health()).toMatchObject({ kept: kept.length, bytes: kept.length * 100 });
  });
});
