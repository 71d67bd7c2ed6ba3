import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../../../gateway/config/load.js";
import type { DomainEvent } from "../../../gateway/domain/events.js";
import { liveMessage } from "../../../gateway/live/messages.js";
import { DeviceRegistry } from "../../../gateway/pipeline/devices.js";
import type { Arrival } from "../../../gateway/pipeline/recorder.js";
import { createRecorder } from "../../../gateway/pipeline/write-path.js";
import { Store } from "../../../gateway/store/store.js";

const T0 = 1_700_000_000_000;
const config = validateConfig({
  pairing_window_s: 10,
  checkpoints: [
    { id: "gate-p", name: "P", mode: "pass_and_temperature" },
    { id: "gate-t", name: "T", mode: "temperature_only" },
    { id: "gate-o", name: "O", mode: "pass_only" },
  ],
  devices: [
    { id: "thermo-p", kind: "thermometer", checkpoint: "gate-p", password: "12345678" },
    { id: "reader-p", kind: "pass_reader", checkpoint: "gate-p", password: "12345678" },
    { id: "thermo-t", kind: "thermometer", checkpoint: "gate-t", password: "12345678" },
    { id: "reader-o", kind: "pass_reader", checkpoint: "gate-o", password: "12345678" },
  ],
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A gateway's write path over a file, that can be "restarted" (a new recorder, the same file). */
function open(path: string) {
  const store = Store.open(path, "gw");
  const recorder = createRecorder({ config, store, devices: new DeviceRegistry(config) });
  const record = (arrival: Arrival): DomainEvent[] => {
    recorder.mark();
    try {
      return store.writeBatch(() => {
        const events = recorder.record(arrival) ?? [];
        recorder.saveChanged();
        return events;
      });
    } catch (error) {
      recorder.undo();
      throw error;
    }
  };
  return { store, recorder, record };
}

const reading = (device: string, raw_c: number, ts_ms = T0): Arrival => ({
  kind: "reading",
  input: { device_id: device, raw_c, ambient_c: null, ts_ms, msg_id: null },
});
const scan = (ts_ms = T0): Arrival => ({
  kind: "scan",
  input: { device_id: "reader-p", pass_id: "0012345678", method: "card", ts_ms, msg_id: null },
});
const types = (events: DomainEvent[]) => events.map((e) => liveMessage(e).type);

function tempFile(): string {
  dir = mkdtempSync(join(tmpdir(), "cg-recorder-"));
  return join(dir, "c.db");
}

describe("the recorder: each arrival and what it decides, in its transaction", () => {
  it("writes a fever reading, its alert and its passage together, the alert first", () => {
    const { record, store } = open(":memory:");
    const events = record(reading("thermo-t", 38.4));
    expect(types(events)).toEqual(["reading", "alert", "passage"]);
    store.close();
  });

  it("keeps a waiting half across a restart and pairs it with its partner after", () => {
    const path = tempFile();
    const first = open(path);
    expect(types(first.record(reading("thermo-p", 36.6)))).toEqual(["reading"]);
    expect(first.recorder.hasWaiting).toBe(true);
    first.store.close();

    const second = open(path);
    expect(second.recorder.hasWaiting).toBe(true);
    const events = second.record(scan(T0 + 3000));
    expect(types(events)).toEqual(["scan", "passage", "alert"]);
    const passage = events.find((e) => e.kind === "passage_decided");
    expect(passage?.kind === "passage_decided" && passage.passage).toMatchObject({
      reading_id: "gw:1",
      scan_id: "gw:2",
      reasons: ["unknown_pass"],
    });
    expect(second.recorder.hasWaiting).toBe(false);
    second.store.close();
  });

  it("decides a half whose window ran out while the gateway was down, once, at the window's end", () => {
    const path = tempFile();
    const first = open(path);
    first.record(scan());
    first.store.close();
    const second = open(path);
    expect(second.recorder.windowEndedBy(T0 + 9_000)).toBe(false);
    expect(second.record({ kind: "window_end", nowMs: T0 + 9_000 })).toEqual([]);
    expect(second.recorder.windowEndedBy(T0 + 60_000)).toBe(true);
    const events = second.record({ kind: "window_end", nowMs: T0 + 60_000 });
    expect(types(events)).toEqual(["passage", "alert"]);
    const passage = events[0];
    expect(passage?.kind === "passage_decided" && passage.passage).toMatchObject({
      scan_id: "gw:1",
      reading_id: null,
      decision: "deny",
      reasons: ["unknown_pass", "no_temperature"],
      ts: new Date(T0 + 10_000).toISOString(),
    });
    second.store.close();
    expect(types(open(path).record({ kind: "window_end", nowMs: T0 + 120_000 }))).toEqual([]);
  });

  it("remembers a run of lows across a restart (low_retest on the third in a row)", () => {
    const path = tempFile();
    const first = open(path);
    first.record(reading("thermo-t", 33.0));
    first.record(reading("thermo-t", 33.1));
    first.store.close();
    const second = open(path);
    expect(types(second.record(reading("thermo-t", 33.2)))).toEqual([
      "reading",
      "alert",
      "passage",
    ]);
    second.store.close();
  });

  it("forgets what a transaction that did not commit changed, as the disk does", () => {
    const { store, recorder } = open(":memory:");
    recorder.mark();
    expect(() =>
      store.writeBatch(() => {
        recorder.record(reading("thermo-p", 36.6));
        recorder.saveChanged();
        throw new Error("disk full");
      }),
    ).toThrow("disk full");
    recorder.undo();
    expect(recorder.hasWaiting).toBe(false);
    expect(store.decisionState.load().size).toBe(0);
    store.close();
  });

  it("opens device_offline when a device goes and resolves it when it is back, in the same transaction", () => {
    const { record, store } = open(":memory:");
    const status = (online: boolean, tsMs: number): Arrival => ({
      kind: "device_status",
      deviceId: "thermo-t",
      online,
      reason: null,
      tsMs,
    });
    expect(types(record(status(false, T0)))).toEqual(["device_status", "alert"]);
    expect(types(record(status(false, T0 + 1)))).toEqual(["device_status"]);
    const back = record(status(true, T0 + 2));
    expect(types(back)).toEqual(["device_status", "alert_update"]);
    expect(liveMessage(back[1] as DomainEvent).data).toMatchObject({
      state: "resolved",
      resolved_by: "system",
    });
    store.close();
  });

  it("raises one reader_fault for a storm of unknown codes from a reader, not one alert per code", () => {
    const { record, store } = open(":memory:");
    const code = (i: number, tsMs: number): Arrival => ({
      kind: "scan",
      input: {
        device_id: "reader-o",
        pass_id: `noise-${i}`,
        method: "card",
        ts_ms: tsMs,
        msg_id: null,
      },
    });
    const kinds: string[] = [];
    for (let i = 0; i < 30; i++)
      for (const event of record(code(i, T0 + i * 1000)))
        if (event.kind === "alert_opened") kinds.push(event.change.kind);
    // Nine codes one by one, the tenth within the minute is a storm: one alert about the reader.
    expect(kinds).toEqual([...Array.from({ length: 9 }, () => "unknown_pass"), "reader_fault"]);
    expect(store.passages.page({ limit: 100 }).items).toHaveLength(30);
    // Once a guard resolved it, a code is an alert of its own again.
    const fault = store.alerts.active().find((alert) => alert.kind === "reader_fault");
    store.writeBatch(() =>
      store.alerts.resolve(fault?.id ?? "", "guard1", T0 + 40_000, {
        disposition: "false_alarm",
        confirm_temp_c: null,
        note: "reader replaced",
      }),
    );
    const after = record(code(99, T0 + 120_000)).filter((e) => e.kind === "alert_opened");
    expect(after.map((e) => (e.kind === "alert_opened" ? e.change.kind : ""))).toEqual([
      "unknown_pass",
    ]);
    store.close();
  });
});
