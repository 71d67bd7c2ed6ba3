import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/log.js";
import { localDate } from "../../common/time.js";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { BackupJob } from "../../gateway/pipeline/backup-job.js";
import { Store } from "../../gateway/store/store.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { eventually, type RunningGateway, startGateway } from "../helpers/gateway.js";

const dir = mkdtempSync(join(tmpdir(), "cg-daily-backup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = "Asia/Shanghai";

function readingsIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    return db.prepare("SELECT msg_id FROM readings ORDER BY seq").pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe("the daily backup (config backup)", () => {
  it("waits for its hour, writes the day's copy once, and keeps the newest days", async () => {
    const folder = join(dir, "job");
    const store = Store.open(join(dir, "job.db"), "gw-backup");
    let now = Date.parse("2026-12-01T02:59:00+08:00");
    const job = new BackupJob({
      store,
      log: createLogger("silent"),
      dir: folder,
      keep: 2,
      atHour: 3,
      timeZone: ZONE,
      now: () => now,
      checkEveryMs: 3_600_000,
    });
    job.start();
    for (const day of ["2026-11-28", "2026-11-29", "2026-11-30"])
      writeFileSync(join(folder, `checkpoint-${day}.db`), "an older day");
    await job.runIfDue();
    expect(existsSync(join(folder, "checkpoint-2026-12-01.db"))).toBe(false);
    now = Date.parse("2026-12-01T03:00:00+08:00");
    await job.runIfDue();
    expect(readdirSync(folder).sort()).toEqual([
      "checkpoint-2026-11-30.db",
      "checkpoint-2026-12-01.db",
    ]);
    expect(job.last?.file).toBe(join(folder, "checkpoint-2026-12-01.db"));
    // Later the same day: nothing more.
    now = Date.parse("2026-12-01T23:00:00+08:00");
    const before = job.last;
    await job.runIfDue();
    expect(job.last).toBe(before);
    await job.stop();
    store.close();
  });

  it("copies the live database while readings keep arriving, and says so in health", async () => {
    const folder = join(dir, "live");
    const gw: RunningGateway = await startGateway({ backup: { dir: folder, keep: 3, at_hour: 0 } });
    try {
      const health = async () =>
        (
          (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
            backup: { enabled: boolean; last: { file: string } | null; error: string | null };
          }
        ).backup;
      const first = await eventually(async () => ((await health()).last ? health() : undefined));
      const today = join(folder, `checkpoint-${localDate(Date.now(), gw.config.site.timezone)}.db`);
      expect(first).toMatchObject({ enabled: true, last: { file: today }, error: null });

      // Readings keep coming while the next copy is made (today's file taken away to make one).
      const thermo = await connectDevice(gw.mqttUrl, "thermo-1");
      for (let i = 0; i < 50; i++)
        await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.5,
          msg_id: `b${i}`,
        });
      rmSync(today);
      const copying = gw.gateway.backups?.runIfDue();
      const during = Array.from({ length: 50 }, (_, i) =>
        publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.6,
          msg_id: `d${i}`,
        }),
      );
      await copying;
      await Promise.all(during);
      await thermo.endAsync(true);
      const copied = readingsIn(today);
      expect(copied.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
      expect(readdirSync(folder).filter((f) => f.endsWith(".partial"))).toEqual([]);
    } finally {
      await gw.close();
    }
  });
});
