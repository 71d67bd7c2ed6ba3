import { describe, expect, it } from "vitest";
import {
  deviceStatusAlerts,
  passageAlerts,
  readingAlerts,
  unknownCodeAlert,
} from "../../../gateway/domain/alert-rules.js";
import type {
  CheckpointMode,
  Passage,
  PassageReason,
  Reading,
  ReadingStatus,
} from "../../../gateway/domain/types.js";

const rule = { windowMs: 600_000, samePassCount: 2, inARow: 3 };
const T0 = 1_700_000_000_000;

const reading = (status: ReadingStatus): Reading => ({
  id: "gw:1",
  seq: 1,
  ts: new Date(T0).toISOString(),
  device_id: "thermo-1",
  checkpoint_id: "gate-1",
  temp_c: 36.6,
  raw_c: 36.6,
  ambient_c: null,
  status,
  pass_id: null,
  msg_id: null,
  device_ts_ms: null,
  terminal_verdict: null,
});

const passage = (reasons: PassageReason[], passId: string | null = "p1"): Passage => ({
  id: "gw:2",
  seq: 2,
  ts: new Date(T0).toISOString(),
  checkpoint_id: "gate-1",
  pass_id: passId,
  holder_name: null,
  reading_id: "gw:1",
  scan_id: "gw:0",
  temp_c: 36.6,
  decision: reasons.length > 0 ? "deny" : "allow",
  reasons,
});

describe("alerts of a reading", () => {
  const table: [ReadingStatus, CheckpointMode, number, string[], number][] = [
    // status, mode, lows in a row before, alert kinds, lows in a row after
    ["fever", "temperature_only", 0, ["fever"], 0],
    ["fever", "pass_and_temperature", 2, ["fever"], 2],
    ["normal", "temperature_only", 2, [], 0],
    ["low", "temperature_only", 0, [], 1],
    ["low", "temperature_only", 1, [], 2],
    ["low", "temperature_only", 2, ["low_retest"], 0],
    ["low", "pass_and_temperature", 2, [], 2],
    ["invalid", "temperature_only", 2, [], 0],
  ];
  for (const [status, mode, before, kinds, after] of table) {
    it(`${status} at a ${mode} checkpoint after ${before} lows: [${kinds.join(", ")}], ${after} lows`, () => {
      const result = readingAlerts(reading(status), T0, mode, before, rule);
      expect(result.alerts.map((a) => a.kind)).toEqual(kinds);
      expect(result.lowsInARow).toBe(after);
      for (const alert of result.alerts) expect(alert.reading_id).toBe("gw:1");
    });
  }
});

describe("alerts of a passage", () => {
  it("raises each pass reason a guard must see, not the temperature ones", () => {
    const result = passageAlerts(
      passage(["fever", "unknown_pass", "observation", "no_temperature"]),
      T0,
      {},
      rule,
    );
    expect(result.alerts.map((a) => a.kind)).toEqual(["unknown_pass", "observation"]);
    expect(result.alerts.every((a) => a.passage_id === "gw:2")).toBe(true);
  });

  it("raises low_retest when the same pass reads low again within the window, and resets", () => {
    const first = passageAlerts(passage(["low"]), T0, {}, rule);
    expect(first.alerts).toEqual([]);
    const second = passageAlerts(passage(["low"], "p1"), T0 + 60_000, first.lowsByPass, rule);
    expect(second.alerts.map((a) => a.kind)).toEqual(["low_retest"]);
    expect(second.lowsByPass).toEqual({});
    const late = passageAlerts(passage(["low"], "p1"), T0 + 700_000, first.lowsByPass, rule);
    expect(late.alerts).toEqual([]);
    const other = passageAlerts(passage(["low"], "p2"), T0 + 60_000, first.lowsByPass, rule);
    expect(other.alerts).toEqual([]);
    expect(passageAlerts(passage(["low"], null), T0, {}, rule).lowsByPass).toEqual({});
    expect(passageAlerts(passage([]), T0, first.lowsByPass, rule)).toEqual({
      alerts: [],
      lowsByPass: first.lowsByPass,
    });
  });
});

describe("alerts of a device status change", () => {
  const status = (online: boolean) => ({
    device_id: "thermo-1",
    checkpoint_id: "gate-1",
    online,
    ts_ms: T0,
  });
  it("opens device_offline once, and resolves every open one when the device is back", () => {
    expect(deviceStatusAlerts(status(false), []).open?.kind).toBe("device_offline");
    expect(deviceStatusAlerts(status(false), ["gw:5"])).toEqual({ open: null, resolve: [] });
    expect(deviceStatusAlerts(status(true), ["gw:5", "gw:9"])).toEqual({
      open: null,
      resolve: ["gw:5", "gw:9"],
    });
    expect(deviceStatusAlerts(status(true), [])).toEqual({ open: null, resolve: [] });
  });
});

describe("unknown codes from a reader", () => {
  const rule = { count: 3, windowMs: 60_000 };
  it("alerts per code until a storm, then once about the reader, then nothing while that is open", () => {
    let recent: readonly number[] = [];
    const kinds: (string | null)[] = [];
    for (const t of [0, 10_000, 20_000]) {
      const result = unknownCodeAlert(recent, T0 + t, false, rule);
      recent = result.recent;
      kinds.push(result.alert);
    }
    expect(kinds).toEqual(["unknown_pass", "unknown_pass", "reader_fault"]);
    expect(unknownCodeAlert(recent, T0 + 30_000, true, rule)).toEqual({ recent: [], alert: null });
    // Spread out, codes never make a storm.
    let spread: readonly number[] = [];
    for (const t of [0, 61_000, 122_000, 183_000]) {
      const result = unknownCodeAlert(spread, T0 + t, false, rule);
      spread = result.recent;
      expect(result.alert).toBe("unknown_pass");
    }
  });
});
