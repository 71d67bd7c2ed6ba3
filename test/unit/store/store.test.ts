import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { liveMessage } from "../../../gateway/live/messages.js";
import { type PageCursor, parseCursor } from "../../../gateway/store/paging.js";
import type { NewReading } from "../../../gateway/store/readings.js";
import { Store } from "../../../gateway/store/store.js";

function reading(overrides: Partial<NewReading> = {}): NewReading {
  return {
    ts_ms: 1_700_000_000_000,
    device_id: "thermo-1",
    checkpoint_id: "gate-1",
    temp_c: 36.6,
    raw_c: 36.62,
    ambient_c: null,
    status: "normal",
    pass_id: null,
    msg_id: null,
    ...overrides,
  };
}

describe("the store", () => {
  it("gives every event a strictly increasing seq and the id <gateway_id>:<seq>", () => {
    const store = Store.open(":memory:", "gw-a");
    const events = store.writeBatch(() => [
      store.readings.insert(reading()),
      store.scans.insert({
        device_id: "reader-1",
        checkpoint_id: "gate-1",
        pass_id: "0012345678",
        method: "card",
        ts_ms: 1,
        msg_id: null,
      }),
      store.deviceStatus.insert({
        device_id: "thermo-1",
        checkpoint_id: "gate-1",
        online: true,
        reason: null,
        ts_ms: 2,
      }),
    ]);
    expect(events.map((e) => e?.seq)).toEqual([1, 2, 3]);
    const messages = events.map((e) => (e ? liveMessage(e) : undefined));
    expect(messages.map((m) => (m?.data as { id: string } | undefined)?.id)).toEqual([
      "gw-a:1",
      "gw-a:2",
      "gw-a:3",
    ]);
    expect(messages.map((m) => m?.type)).toEqual(["reading", "scan", "device_status"]);
    store.close();
  });

  it("keeps counting after a restart, and after the newest rows were deleted (the high-water mark is saved in every transaction)", () => {
    const path = join(mkdtempSync(join(tmpdir(), "cg-store-")), "c.db");
    const first = Store.open(path, "gw");
    first.writeBatch(() => [first.readings.insert(reading()), first.readings.insert(reading())]);
    first.close();
    const second = Store.open(path, "gw");
    expect(second.journal.currentSeq).toBe(2);
    const [third] = second.writeBatch(() => [second.readings.insert(reading())]);
    expect(third?.seq).toBe(3);
    second.close();
    const raw = new Database(path);
    raw.exec("DELETE FROM readings;");
    raw.close();
    const reopened = Store.open(path, "gw");
    const [event] = reopened.writeBatch(() => [reopened.readings.insert(reading())]);
    expect(event?.seq).toBe(4);
    reopened.close();
  });

  it("stores a repeated msg_id of one device once, but the same msg_id of another device too", () => {
    const store = Store.open(":memory:", "gw");
    const events = store.writeBatch(() => [
      store.readings.insert(reading({ msg_id: "m1" })),
      store.readings.insert(reading({ msg_id: "m1" })),
      store.readings.insert(reading({ msg_id: "m1", device_id: "thermo-2" })),
      store.readings.insert(reading({ msg_id: null })),
      store.readings.insert(reading({ msg_id: null })),
    ]);
    expect(events.map((e) => e === null)).toEqual([false, true, false, false, false]);
    expect(store.readings.page({ limit: 100 }).items).toHaveLength(4);
    store.close();
  });

  it("writes nothing of a batch that throws", () => {
    const store = Store.open(":memory:", "gw");
    expect(() =>
      store.writeBatch(() => {
        store.readings.insert(reading());
        throw new Error("disk full");
      }),
    ).toThrow("disk full");
    expect(store.readings.page({ limit: 10 }).items).toEqual([]);
    const [event] = store.writeBatch(() => [store.readings.insert(reading())]);
    expect(event?.seq).toBe(2);
    store.close();
  });

  it("pages newest first and walks every row exactly once under each filter", () => {
    const store = Store.open(":memory:", "gw");
    store.writeBatch(() =>
      Array.from({ length: 250 }, (_, i) =>
        store.readings.insert(
          reading({
            ts_ms: 1_700_000_000_000 + i * 1000,
            device_id: i % 2 === 0 ? "thermo-1" : "thermo-2",
            checkpoint_id: i % 5 === 0 ? "gate-2" : "gate-1",
            status: i % 10 === 0 ? "fever" : "normal",
            temp_c: i % 10 === 0 ? 38 : 36.6,
          }),
        ),
      ),
    );
    const walk = (filter: Parameters<typeof store.readings.page>[0]) => {
      const seqs: number[] = [];
      let cursor: PageCursor | undefined;
      for (;;) {
        const page = store.readings.page({ ...filter, cursor });
        seqs.push(...page.items.map((r) => r.seq));
        if (page.next_cursor === null) return seqs;
        cursor = parseCursor(page.next_cursor) ?? undefined;
      }
    };
    const all = walk({ limit: 37 });
    expect(all).toHaveLength(250);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(new Set(all).size).toBe(250);
    expect(walk({ limit: 7, status: "fever" })).toHaveLength(25);
    expect(walk({ limit: 10, checkpoint: "gate-2", device: "thermo-1" })).toHaveLength(25);
    const window = walk({ limit: 100, fromMs: 1_700_000_010_000, toMs: 1_700_000_019_000 });
    expect(window).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
    expect(store.readings.page({ limit: 5, status: "low" })).toEqual({
      items: [],
      next_cursor: null,
    });
    store.close();
  });

  it("orders the log by when things happened, not when they arrived, each row once across pages", () => {
    const store = Store.open(":memory:", "gw");
    const t0 = 1_700_000_000_000;
    // Arrival order: 10:00:05, 10:00:01 (a device's buffered reading sent late), 10:00:05 again
    // (a tie), 10:00:09, 10:00:03 (late again), 10:00:07.
    const seconds = [5, 1, 5, 9, 3, 7];
    store.writeBatch(() =>
      seconds.map((s) => store.readings.insert(reading({ ts_ms: t0 + s * 1000 }))),
    );
    const seqOf = (s: number, nth = 0) =>
      seconds.flatMap((x, i) => (x === s ? [i + 1] : []))[nth] as number;
    const expected = [seqOf(9), seqOf(7), seqOf(5, 1), seqOf(5, 0), seqOf(3), seqOf(1)];
    for (const limit of [1, 2, 4, 100]) {
      const seqs: number[] = [];
      let cursor: PageCursor | undefined;
      for (;;) {
        const page = store.readings.page({ limit, cursor });
        seqs.push(...page.items.map((r) => r.seq));
        if (page.next_cursor === null) break;
        cursor = parseCursor(page.next_cursor) ?? undefined;
      }
      expect(seqs, `pages of ${limit}`).toEqual(expected);
    }
    store.close();
  });

  it("replays the newest events of every kind after a seq, oldest first, per checkpoint, and says when it cut", () => {
    const store = Store.open(":memory:", "gw");
    store.writeBatch(() =>
      Array.from({ length: 10 }, (_, i) =>
        i === 4
          ? store.scans.insert({
              device_id: "reader-1",
              checkpoint_id: "gate-1",
              pass_id: "0012345678",
              method: "card",
              ts_ms: 1,
              msg_id: null,
            })
          : i === 8
            ? store.deviceStatus.insert({
                device_id: "thermo-2",
                checkpoint_id: "gate-2",
                online: false,
                reason: null,
                ts_ms: 2,
              })
            : store.readings.insert(reading({ checkpoint_id: i < 6 ? "gate-1" : "gate-2" })),
      ),
    );
    type Events = ReturnType<typeof store.journal.since>["events"];
    const typesOf = (events: Events) => events.map((e) => liveMessage(e).type);
    expect(typesOf(store.journal.since(3, 100).events)).toEqual([
      "reading",
      "scan",
      "reading",
      "reading",
      "reading",
      "device_status",
      "reading",
    ]);
    const seqsOf = (events: Events) => events.map((e) => e.seq);
    expect(seqsOf(store.journal.since(7, 100).events)).toEqual([8, 9, 10]);
    expect(seqsOf(store.journal.since(2, 100, "gate-1").events)).toEqual([3, 4, 5, 6]);
    const cut = store.journal.since(0, 3);
    expect(seqsOf(cut.events)).toEqual([8, 9, 10]);
    expect(cut.truncated).toBe(true);
    expect(store.journal.since(10, 5)).toEqual({ events: [], truncated: false });
    store.close();
  });

  it("checks passwords with scrypt and keeps only a hash of session tokens", async () => {
    const store = Store.open(":memory:", "gw");
    await store.accounts.create("guard1", "correct horse", "guard", 0);
    expect(await store.accounts.authenticate("guard1", "correct horse")).toEqual({
      username: "guard1",
      role: "guard",
    });
    expect(await store.accounts.authenticate("guard1", "wrong")).toBeNull();
    expect(await store.accounts.authenticate("nobody", "correct horse")).toBeNull();
    const token = store.accounts.createSession("guard1", 1000, 60_000);
    expect(store.accounts.sessionAccount(token, 2000)).toEqual({
      username: "guard1",
      role: "guard",
    });
    expect(store.accounts.sessionAccount(token, 61_001)).toBeNull();
    store.accounts.endSession(token);
    expect(store.accounts.sessionAccount(token, 2000)).toBeNull();
    store.close();
  });
});

describe("counts for the guard console", () => {
  it("counts passages, decisions, fevers and lows per checkpoint since a moment", () => {
    const store = Store.open(":memory:", "gw");
    const passage = (checkpoint_id: string, decision: "allow" | "deny", ts_ms: number) =>
      store.passages.insert({
        ts_ms,
        checkpoint_id,
        pass_id: null,
        holder_name: null,
        reading_id: null,
        scan_id: null,
        temp_c: null,
        decision,
        reasons: decision === "deny" ? ["fever"] : [],
      });
    store.writeBatch(() => [
      passage("gate-1", "allow", 1000),
      passage("gate-1", "deny", 2000),
      passage("gate-2", "allow", 3000),
      passage("gate-1", "allow", 10),
      store.readings.insert(reading({ checkpoint_id: "gate-1", status: "fever", ts_ms: 1500 })),
      store.readings.insert(reading({ checkpoint_id: "gate-2", status: "low", ts_ms: 2500 })),
      store.readings.insert(reading({ checkpoint_id: "gate-2", status: "normal", ts_ms: 2600 })),
    ]);
    expect(store.countsSince(100)).toEqual([
      { checkpoint_id: "gate-1", passages: 2, allowed: 1, denied: 1, fevers: 1, lows: 0 },
      { checkpoint_id: "gate-2", passages: 1, allowed: 1, denied: 0, fevers: 0, lows: 1 },
    ]);
    store.close();
  });
});

describe("the planner's statistics", () => {
  it("page one device over one day by the (device_id, ts_ms) index once the file is reopened", () => {
    const path = join(mkdtempSync(join(tmpdir(), "cg-plan-")), "gw.db");
    const day = 86_400_000;
    const store = Store.open(path, "gw-plan");
    store.writeBatch(() => {
      for (let i = 0; i < 40_000; i++)
        store.readings.insert(
          reading({ ts_ms: i * ((30 * day) / 40_000), device_id: `thermo-${i % 20}` }),
        );
    });
    store.close();
    // Reopening runs PRAGMA optimize, which gathers the statistics the planner needs.
    Store.open(path, "gw-plan").close();
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM readings WHERE device_id = ? AND ts_ms >= ? AND ts_ms <= ? AND seq < ? ORDER BY seq DESC LIMIT 101",
      )
      .all("thermo-7", 10 * day, 11 * day, 30_000) as { detail: string }[];
    db.close();
    expect(plan.map((step) => step.detail).join(" / ")).toContain("readings_device_ts");
  });
});
