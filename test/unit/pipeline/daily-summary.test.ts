import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/log.js";
import { SummaryReportJob } from "../../../gateway/pipeline/daily-summary.js";
import { Store } from "../../../gateway/store/store.js";
import { newPassage } from "../../helpers/fixtures.js";

const ZONE = "Asia/Shanghai";
const DAY = 86_400_000;
const NOW = Date.parse("2026-11-22T10:00:00+08:00");
const CHECKPOINTS = [
  { id: "gate-1", name: "North gate / 北门" },
  { id: "gate-2", name: "South gate / 南门" },
];

function passage(store: Store, ts_ms: number, checkpoint_id: string) {
  store.writeBatch(() => store.passages.insert(newPassage({ ts_ms, checkpoint_id })));
}

function job(store: Store, now: () => number) {
  return new SummaryReportJob({
    store,
    log: createLogger("silent"),
    checkpoints: CHECKPOINTS,
    gatewayId: "gw-a",
    siteId: "site-1",
    timeZone: ZONE,
    priority: 1,
    now,
  });
}

/** Any event stored after the summary, to see which seq it takes. */
const nextEvent = (store: Store) =>
  store.writeBatch(() =>
    store.deviceStatus.insert({
      device_id: "t",
      checkpoint_id: "gate-1",
      online: true,
      reason: null,
      ts_ms: NOW,
    }),
  );

const summaries = (store: Store) =>
  store.outbox
    .next(100, new Set())
    .filter((row) => row.kind === "summary")
    .map((row) => JSON.parse(row.payload) as Record<string, unknown>);

describe("the daily summary sent upstream", () => {
  it("queues yesterday's summary once, with every checkpoint, its hours and a unique id", () => {
    const store = Store.open(":memory:", "gw-a");
    passage(store, Date.parse("2026-11-21T08:15:00+08:00"), "gate-1");
    passage(store, Date.parse("2026-11-21T08:45:00+08:00"), "gate-1");
    passage(store, Date.parse("2026-11-22T08:00:00+08:00"), "gate-1");
    const reports = job(store, () => NOW);
    reports.runIfDue();
    reports.runIfDue();
    const sent = summaries(store);
    expect(sent).toHaveLength(1);
    const [summary] = sent;
    expect(summary).toMatchObject({
      gateway_id: "gw-a",
      site_id: "site-1",
      date: "2026-11-21",
      timezone: ZONE,
      checkpoints: [
        { checkpoint_id: "gate-1", name: "North gate / 北门", passages: 2, allowed: 2 },
        { checkpoint_id: "gate-2", name: "South gate / 南门", passages: 0 },
      ],
    });
    const checkpoints = summary?.checkpoints as { hours: { passages: number }[] }[];
    const hours = checkpoints[0]?.hours;
    expect(hours?.map((h) => h.passages)).toEqual(
      Array.from({ length: 24 }, (_, hour) => (hour === 8 ? 2 : 0)),
    );
    // Its seq is taken from the journal: the next event's seq is higher.
    const next = nextEvent(store);
    expect(summary?.id).toBe(`gw-a:${summary?.seq}`);
    expect(next.seq).toBeGreaterThan(summary?.seq as number);
    store.close();
  });

  it("catches up on the days it missed, at most a week back, and never sends a day twice", () => {
    const store = Store.open(":memory:", "gw-a");
    let now = NOW;
    const reports = job(store, () => now);
    reports.runIfDue();
    expect(summaries(store).map((s) => s.date)).toEqual(["2026-11-21"]);
    // Off from the 22nd to the 26th: the next start sends the four finished days it missed.
    now += 4 * DAY;
    job(store, () => now).runIfDue();
    expect(summaries(store).map((s) => s.date)).toEqual([
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
    ]);
    // Down for a month: only the last seven days.
    now += 30 * DAY;
    job(store, () => now).runIfDue();
    const dates = summaries(store).map((s) => s.date);
    expect(dates.slice(5)).toEqual([
      "2026-12-19",
      "2026-12-20",
      "2026-12-21",
      "2026-12-22",
      "2026-12-23",
      "2026-12-24",
      "2026-12-25",
    ]);
    expect(new Set(summaries(store).map((s) => s.id)).size).toBe(dates.length);
    store.close();
  });

  it("keeps its seq after a restart, so the id of a summary is never reused", () => {
    const path = join(mkdtempSync(join(tmpdir(), "cg-summary-")), "gw.db");
    let store = Store.open(path, "gw-a");
    job(store, () => NOW).runIfDue();
    const [summary] = summaries(store);
    // Upstream acknowledged it: the outbox row is gone and no table of events holds its seq.
    store.outbox.delete([summary?.seq as number]);
    store.close();
    store = Store.open(path, "gw-a");
    const next = nextEvent(store);
    expect(next.seq).toBeGreaterThan(summary?.seq as number);
    store.close();
  });
});
