import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Store as StoreType } from "../../../gateway/store/store.js";
import { Store } from "../../../gateway/store/store.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const T0 = 1_700_000_000_000;

/** Every seq stored anywhere in the file, read from the outside (not through the journal). */
function storedSeqs(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT seq FROM readings UNION ALL SELECT seq FROM scans UNION ALL SELECT seq FROM passages
         UNION ALL SELECT seq FROM alert_events UNION ALL SELECT seq FROM device_status
         UNION ALL SELECT seq FROM summary_reports`,
      )
      .pluck()
      .all() as number[];
  } finally {
    db.close();
  }
}

const someEvents = (store: StoreType) =>
  store.writeBatch(() => {
    store.readings.insert({
      ts_ms: T0,
      device_id: "thermo-1",
      checkpoint_id: "gate-1",
      temp_c: 38.2,
      raw_c: 38.2,
      ambient_c: null,
      status: "fever",
      pass_id: null,
      msg_id: null,
    });
    return store.alerts.open({
      kind: "fever",
      checkpoint_id: "gate-1",
      device_id: "thermo-1",
      passage_id: null,
      reading_id: "gw:1",
      pass_id: null,
      temp_c: 38.2,
      ts_ms: T0,
    });
  });

/** The last event written before the restart, one of each kind (docs/contract.md#identity-and-order's list). */
const LAST_EVENTS: Record<string, (store: StoreType, alertId: string) => void> = {
  reading: (store) =>
    store.writeBatch(() =>
      store.readings.insert({
        ts_ms: T0,
        device_id: "thermo-1",
        checkpoint_id: "gate-1",
        temp_c: 36.6,
        raw_c: 36.6,
        ambient_c: null,
        status: "normal",
        pass_id: null,
        msg_id: "last",
      }),
    ),
  scan: (store) =>
    store.writeBatch(() =>
      store.scans.insert({
        device_id: "reader-1",
        checkpoint_id: "gate-1",
        pass_id: "0012345678",
        method: "card",
        ts_ms: T0,
        msg_id: null,
      }),
    ),
  passage: (store) =>
    store.writeBatch(() =>
      store.passages.insert({
        ts_ms: T0,
        checkpoint_id: "gate-1",
        pass_id: null,
        holder_name: null,
        reading_id: "gw:1",
        scan_id: null,
        temp_c: 38.2,
        decision: "deny",
        reasons: ["fever"],
      }),
    ),
  "alert opened": (store) =>
    store.writeBatch(() =>
      store.alerts.open({
        kind: "device_offline",
        checkpoint_id: "gate-1",
        device_id: "thermo-1",
        passage_id: null,
        reading_id: null,
        pass_id: null,
        temp_c: null,
        ts_ms: T0,
      }),
    ),
  "alert acknowledged": (store, alertId) =>
    store.writeBatch(() => store.alerts.acknowledge(alertId, "guard1", T0 + 1)),
  "alert resolved": (store, alertId) =>
    store.writeBatch(() =>
      store.alerts.resolve(alertId, "guard1", T0 + 2, {
        disposition: "referred",
        confirm_temp_c: 38.1,
        note: null,
      }),
    ),
  "device status": (store) =>
    store.writeBatch(() =>
      store.deviceStatus.insert({
        device_id: "thermo-1",
        checkpoint_id: "gate-1",
        online: false,
        reason: "disconnected",
        ts_ms: T0,
      }),
    ),
  "summary report": (store) =>
    store.queueSummary("2026-11-30", 1, T0, (id, seq) => ({ id, seq, date: "2026-11-30" })),
};

describe("the journal across restarts", () => {
  for (const [kind, writeLast] of Object.entries(LAST_EVENTS)) {
    it(`continues strictly above every stored seq when the last event was a ${kind}`, () => {
      dir = mkdtempSync(join(tmpdir(), "cg-journal-"));
      const path = join(dir, "c.db");
      const first = Store.open(path, "gw");
      const opened = someEvents(first);
      writeLast(first, opened.kind === "alert_opened" ? opened.change.alert_id : "");
      first.close();
      const before = storedSeqs(path);
      expect(new Set(before).size).toBe(before.length);

      const second = Store.open(path, "gw");
      const next = second.writeBatch(() =>
        second.deviceStatus.insert({
          device_id: "thermo-1",
          checkpoint_id: "gate-1",
          online: true,
          reason: "connected",
          ts_ms: T0 + 10,
        }),
      );
      second.close();
      expect(next.seq).toBeGreaterThan(Math.max(...before));
      const after = storedSeqs(path);
      expect(new Set(after).size).toBe(after.length);
    });
  }

  it("continues above the newest seq after the newest rows were deleted (retention)", () => {
    dir = mkdtempSync(join(tmpdir(), "cg-journal-"));
    const path = join(dir, "c.db");
    const first = Store.open(path, "gw");
    someEvents(first);
    LAST_EVENTS.reading?.(first, "");
    first.close();
    const raw = new Database(path);
    raw.exec("DELETE FROM readings; DELETE FROM alert_events; DELETE FROM alerts;");
    raw.close();
    const second = Store.open(path, "gw");
    expect(second.journal.currentSeq).toBe(3);
    second.close();
  });

  it("takes into account any table with a seq column, one added later included", () => {
    dir = mkdtempSync(join(tmpdir(), "cg-journal-"));
    const path = join(dir, "c.db");
    Store.open(path, "gw").close();
    // A file written by a version whose new event table never saved the high-water mark.
    const raw = new Database(path);
    raw.exec(
      "CREATE TABLE future_events (seq INTEGER PRIMARY KEY, what TEXT); INSERT INTO future_events VALUES (41, 'x');",
    );
    raw.close();
    const reopened = Store.open(path, "gw");
    expect(reopened.journal.currentSeq).toBe(41);
    reopened.close();
  });

  it("refuses to hand out a seq outside a transaction (it would not be saved with its event)", () => {
    const store = Store.open(":memory:", "gw");
    expect(() => store.journal.nextSeq()).toThrow("only inside a transaction");
    store.close();
  });

  it("gives each alert change its own id, and every change names its alert", () => {
    const store = Store.open(":memory:", "gw");
    const opened = someEvents(store);
    if (opened.kind !== "alert_opened") throw new Error("expected an opened alert");
    const alertId = opened.change.alert_id;
    const acked = store.writeBatch(() => store.alerts.acknowledge(alertId, "guard1", T0 + 1));
    const resolved = store.writeBatch(() =>
      store.alerts.resolve(alertId, "guard1", T0 + 2, {
        disposition: "released",
        confirm_temp_c: 36.8,
        note: null,
      }),
    );
    const changes = [opened, acked, resolved].map((event) => {
      if (event.kind !== "alert_opened" && event.kind !== "alert_changed")
        throw new Error(`unexpected ${event.kind}`);
      return event.change;
    });
    expect(changes.map((c) => c.id)).toEqual([alertId, `gw:${acked.seq}`, `gw:${resolved.seq}`]);
    expect(changes.map((c) => c.alert_id)).toEqual([alertId, alertId, alertId]);
    expect(changes.map((c) => c.state)).toEqual(["open", "acknowledged", "resolved"]);
    // Replayed from the store, the changes keep the same ids.
    const replayed = store.journal.since(0, 100).events.filter((e) => e.kind.startsWith("alert"));
    expect(
      replayed.map((e) =>
        e.kind === "alert_changed" || e.kind === "alert_opened" ? e.change.id : "",
      ),
    ).toEqual(changes.map((c) => c.id));
    store.close();
  });
});
