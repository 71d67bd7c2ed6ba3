import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/log.js";
import { dayStartMs, localDate } from "../../../common/time.js";
import { RetentionJob } from "../../../gateway/pipeline/retention.js";
import { Store } from "../../../gateway/store/store.js";
import { newPassage } from "../../helpers/fixtures.js";

const ZONE = "Asia/Shanghai";
const DAY = 86_400_000;
const NOW = Date.parse("2026-11-22T10:00:00+08:00");

function seed(
  store: Store,
  daysAgo: number,
  checkpoint: string,
  decision: "allow" | "deny",
  status: "normal" | "fever",
) {
  const ts_ms = NOW - daysAgo * DAY;
  store.writeBatch(() => [
    store.readings.insert({
      ts_ms,
      device_id: "t",
      checkpoint_id: checkpoint,
      temp_c: status === "fever" ? 38.3 : 36.5,
      raw_c: 36.5,
      ambient_c: null,
      status,
      pass_id: "0012345678",
      msg_id: null,
    }),
    store.passages.insert(
      newPassage({
        ts_ms,
        checkpoint_id: checkpoint,
        decision,
        reasons: decision === "deny" ? ["fever"] : [],
      }),
    ),
  ]);
}

describe("retention", () => {
  it("deletes personal data older than retention_days, keeps each day's counts, and audits the run", () => {
    const store = Store.open(":memory:", "gw");
    seed(store, 40, "gate-1", "allow", "normal");
    seed(store, 40, "gate-1", "deny", "fever");
    seed(store, 30, "gate-2", "allow", "normal");
    seed(store, 27, "gate-1", "allow", "normal");
    seed(store, 1, "gate-1", "deny", "fever");
    const oldDay = localDate(NOW - 40 * DAY, ZONE);
    const before = store.dailySummary(oldDay, ZONE);
    expect(before).toMatchObject([
      {
        checkpoint_id: "gate-1",
        passages: 2,
        allowed: 1,
        denied: 1,
        denied_by_reason: { fever: 1 },
        fevers: 1,
        lows: 0,
      },
    ]);
    // Seeded at 10:00 local time: all of it in hour 10, every other hour empty.
    const hours = before[0]?.hours ?? [];
    expect(hours).toHaveLength(24);
    expect(hours[10]).toEqual({ hour: 10, passages: 2, allowed: 1, denied: 1, fevers: 1, lows: 0 });
    expect(hours.filter((h) => h.passages > 0)).toHaveLength(1);

    const job = new RetentionJob({
      store,
      log: createLogger("silent"),
      retentionDays: 28,
      timeZone: ZONE,
      now: () => NOW,
    });
    job.runIfDue();
    expect(
      store.readings
        .page({ limit: 100 })
        .items.map((r) => Math.round((NOW - Date.parse(r.ts)) / DAY)),
    ).toEqual([1, 27]);
    expect(store.passages.page({ limit: 100 }).items).toHaveLength(2);
    // The counts of the deleted days are still there.
    expect(store.dailySummary(oldDay, ZONE)).toEqual(before);
    expect(store.dailySummary(localDate(NOW - 30 * DAY, ZONE), ZONE)).toMatchObject([
      { checkpoint_id: "gate-2", passages: 1, allowed: 1 },
    ]);
    const audit = store.audit.page({ action: "retention", limit: 10 }).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({
      cutoff: new Date(dayStartMs(localDate(NOW - 28 * DAY, ZONE), ZONE)).toISOString(),
      deleted: { readings: 3, passages: 3 },
    });
    store.close();
  });

  it("runs at start and then once per local day", () => {
    const store = Store.open(":memory:", "gw");
    let now = NOW;
    const job = new RetentionJob({
      store,
      log: createLogger("silent"),
      retentionDays: 28,
      timeZone: ZONE,
      now: () => now,
    });
    job.runIfDue();
    now += 3_600_000;
    job.runIfDue();
    expect(store.audit.page({ action: "retention", limit: 10 }).items).toHaveLength(1);
    now += DAY;
    job.runIfDue();
    expect(store.audit.page({ action: "retention", limit: 10 }).items).toHaveLength(2);
    store.close();
  });

  it("finds where a local day starts", () => {
    expect(new Date(dayStartMs("2026-11-22", ZONE)).toISOString()).toBe("2026-11-21T16:00:00.000Z");
    expect(new Date(dayStartMs("2026-11-22", "UTC")).toISOString()).toBe(
      "2026-11-22T00:00:00.000Z",
    );
    expect(new Date(dayStartMs("2026-11-22", "Pacific/Kiritimati")).toISOString()).toBe(
      "2026-11-21T10:00:00.000Z",
    );
    expect(new Date(dayStartMs("2026-11-22", "Pacific/Pago_Pago")).toISOString()).toBe(
      "2026-11-22T11:00:00.000Z",
    );
  });
});
