import { describe, expect, it } from "vitest";
import { check, type Recording } from "../../../soak/checker.js";
import { faultSchedule } from "../../../soak/schedule.js";

/** A small clean run: a temperature_only gate with a fever, a pass gate with a pair. */
function cleanRun(): Recording {
  return {
    gatewayId: "gw",
    modes: { "gate-t": "temperature_only", "gate-p": "pass_and_temperature" },
    sent: [
      { msgId: "r1", kind: "reading", acked: true },
      { msgId: "r2", kind: "reading", acked: true },
      { msgId: "s1", kind: "scan", acked: true },
      { msgId: "r3", kind: "reading", acked: false },
    ],
    stored: {
      readings: [
        { seq: 1, msg_id: "r1", checkpoint_id: "gate-t", status: "fever" },
        { seq: 4, msg_id: "r2", checkpoint_id: "gate-p", status: "normal" },
      ],
      scans: [{ seq: 5, msg_id: "s1", checkpoint_id: "gate-p" }],
      passages: [
        { seq: 3, reading_id: "gw:1", scan_id: null, decision: "deny", reasons: "fever" },
        { seq: 6, reading_id: "gw:4", scan_id: "gw:5", decision: "allow", reasons: "" },
      ],
      alertChanges: [
        { seq: 2, alert_id: "gw:2" },
        { seq: 7, alert_id: "gw:2" },
      ],
      alerts: [{ alert_id: "gw:2", kind: "fever", reading_id: "gw:1" }],
      deviceStatus: [{ seq: 8 }],
      summaries: [],
      waitingHalves: 0,
    },
    upstream: [
      { id: "gw:2", kind: "alert" },
      { id: "gw:3", kind: "passage" },
      { id: "gw:3", kind: "passage" },
      { id: "gw:6", kind: "passage" },
      { id: "gw:7", kind: "alert" },
      { id: "gw:8", kind: "device_status" },
    ],
    kiosk: ['{"type":"alert_update","data":{"state":"resolved","kind":"fever"}}'],
    secrets: ["called 13800138000", "guard1"],
    exits: [{ atMs: 10, planned: true, detail: "SIGKILL" }],
    actions: [{ what: "resolve gw:2", status: 200, allowed: [200, 409] }],
    faults: [{ atMs: 10, kind: "sigkill" }],
  };
}

const failing = (run: Recording) =>
  check(run)
    .filter((v) => !v.ok)
    .map((v) => v.invariant);

describe("the soak's checker", () => {
  it("passes a clean run (a redelivered upstream event is fine)", () => {
    expect(failing(cleanRun())).toEqual([]);
  });

  const injections: [string, (run: Recording) => void, string][] = [
    [
      "a lost acknowledged reading",
      (run) => {
        run.stored.readings = run.stored.readings.filter((r) => r.msg_id !== "r2");
        run.stored.passages = run.stored.passages.filter((p) => p.reading_id !== "gw:4");
        run.stored.passages.push({
          seq: 6,
          reading_id: null,
          scan_id: "gw:5",
          decision: "deny",
          reasons: "no_temperature",
        });
      },
      "every acknowledged reading and scan stored exactly once",
    ],
    [
      "a duplicate id",
      (run) => {
        run.stored.deviceStatus.push({ seq: 6 });
      },
      "every id names one event, across all restarts",
    ],
    [
      "a fever without its alert",
      (run) => {
        run.stored.alerts = [];
      },
      "every fever reading has its fever alert",
    ],
    [
      "a leaked note",
      (run) => {
        run.kiosk.push('{"type":"alert_update","data":{"note":"called 13800138000"}}');
      },
      "the kiosk channel never carried a note, a username, a whole name or pass id",
    ],
    [
      "an unplanned exit",
      (run) => {
        run.exits.push({ atMs: 20, planned: false, detail: "exit code 1" });
      },
      "no process exit the schedule did not cause",
    ],
    [
      "an event missing upstream",
      (run) => {
        run.upstream = run.upstream.filter((m) => m.id !== "gw:7");
      },
      "upstream: every forwardable event arrived (once after dedupe on id)",
    ],
    [
      "a reading without its passage",
      (run) => {
        run.stored.passages = run.stored.passages.filter((p) => p.reading_id !== "gw:1");
        run.upstream = run.upstream.filter((m) => m.id !== "gw:3");
      },
      "every reading and scan decided as SPEC 2 says (its passage; lone halves at window end)",
    ],
    [
      "a fever let through",
      (run) => {
        const fever = run.stored.passages[0];
        if (fever) {
          fever.decision = "allow";
          fever.reasons = "";
        }
      },
      "every passage decided by its reasons (hard: any reason denies; a fever is a reason)",
    ],
    [
      "a stored message no device sent",
      (run) => {
        run.stored.readings.push({
          seq: 9,
          msg_id: "ghost",
          checkpoint_id: "gate-t",
          status: "normal",
        });
        run.stored.passages.push({
          seq: 10,
          reading_id: "gw:9",
          scan_id: null,
          decision: "allow",
          reasons: "",
        });
        run.upstream.push({ id: "gw:10", kind: "passage" });
      },
      "nothing stored that no device sent",
    ],
    [
      "an event upstream that was never stored",
      (run) => {
        run.upstream.push({ id: "gw:99", kind: "passage" });
      },
      "upstream: nothing arrived that was not stored",
    ],
    [
      "a refused guard action",
      (run) => {
        run.actions.push({ what: "ack gw:2", status: 500, allowed: [200, 409] });
      },
      "every guard and admin action answered 2xx or its documented 4xx",
    ],
  ];
  for (const [name, inject, invariant] of injections) {
    it(`reports exactly ${name}`, () => {
      const run = cleanRun();
      inject(run);
      expect(failing(run)).toEqual([invariant]);
    });
  }
});

describe("the soak's fault schedule", () => {
  it("is the same for the same seed, and mixes the kinds", () => {
    const a = faultSchedule(4, 600_000, 10_000);
    expect(faultSchedule(4, 600_000, 10_000)).toEqual(a);
    expect(faultSchedule(5, 600_000, 10_000)).not.toEqual(a);
    expect(new Set(a.map((f) => f.kind)).size).toBe(6);
    expect(a.every((f, i) => i === 0 || f.atMs - (a[i - 1]?.atMs ?? 0) >= 1000)).toBe(true);
    expect(a.at(-1)?.atMs).toBeLessThan(600_000);
  });
});
