import { describe, expect, it } from "vitest";
import { check, faultBefore, type Recording } from "../../../soak/checker.js";
import { FAULTS, faultSchedule } from "../../../soak/schedule.js";

const T0 = 1_700_000_000_000;

/**
 * A small clean run: a temperature_only gate with a fever, a pass gate with a pair, a serial
 * gate read again after a restart.
 */
function cleanRun(): Recording {
  return {
    gatewayId: "gw",
    startedAt: T0,
    modes: {
      "gate-t": "temperature_only",
      "gate-p": "pass_and_temperature",
      "gate-s": "temperature_only",
    },
    sent: [
      { msgId: "r1", kind: "reading", acked: true, atMs: 1000 },
      { msgId: "r2", kind: "reading", acked: true, atMs: 2000 },
      { msgId: "s1", kind: "scan", acked: true, atMs: 2100 },
      { msgId: "r3", kind: "reading", acked: false, atMs: 9000 },
    ],
    stored: {
      readings: [
        row(1, 1000, "r1", "gate-t", "thermo-t", { status: "fever", raw_c: 38.5 }),
        row(4, 2000, "r2", "gate-p", "thermo-p", { status: "normal", raw_c: 36.5 }),
        row(11, 12_000, null, "gate-s", "thermo-s", { status: "normal", raw_c: 36.4 }),
      ],
      scans: [row(5, 2100, "s1", "gate-p", "reader-p", { pass_id: "0012345678" })],
      passages: [
        {
          seq: 3,
          ts_ms: T0 + 1000,
          reading_id: "gw:1",
          scan_id: null,
          decision: "deny",
          reasons: "fever",
        },
        {
          seq: 6,
          ts_ms: T0 + 2100,
          reading_id: "gw:4",
          scan_id: "gw:5",
          decision: "allow",
          reasons: "",
        },
        {
          seq: 12,
          ts_ms: T0 + 12_000,
          reading_id: "gw:11",
          scan_id: null,
          decision: "allow",
          reasons: "",
        },
      ],
      alertChanges: [
        { seq: 2, ts_ms: T0 + 1000, alert_id: "gw:2" },
        { seq: 7, ts_ms: T0 + 5000, alert_id: "gw:2" },
      ],
      alerts: [{ alert_id: "gw:2", kind: "fever", reading_id: "gw:1" }],
      deviceStatus: [{ seq: 8, ts_ms: T0 + 6000 }],
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
      { id: "gw:12", kind: "passage" },
    ],
    kiosk: [
      '{"type":"reading","data":{"id":"gw:1","ts":"2023-11-14T22:13:21.000Z"}}',
      '{"type":"alert_update","data":{"state":"resolved","kind":"fever"}}',
    ],
    secrets: ["called 13800138000", "guard1"],
    serial: {
      thermometer: "thermo-s",
      reader: "reader-s",
      sent: [
        { kind: "reading", value: "36.4", atMs: 11_900 },
        { kind: "reading", value: "36.9", atMs: 7000 },
      ],
    },
    exits: [{ atMs: 10_000, planned: true, detail: "SIGKILL" }],
    actions: [
      { what: "resolve gw:2", status: 200, allowed: [200, 409], startMs: 4990, atMs: 5000 },
      // Sent as the disk filled up: the documented 503.
      { what: "observe 0012345678", status: 503, allowed: [200], startMs: 19_990, atMs: 20_010 },
    ],
    faults: [
      { atMs: 10_000, kind: "sigkill", untilMs: 11_000 },
      { atMs: 20_000, kind: "full_disk", untilMs: 23_000 },
    ],
    district: {
      sites: { gw: "site-1", "gw-h": "site-h" },
      hostile: { gatewayId: "gw-h", honestIds: ["gw-h:1"] },
      forgeries: [{ marker: "gw-h:900000001", kind: "another_gateways_alert", atMs: 3000 }],
      stored: [
        ...["gw:2", "gw:7"].map((id) => ({ id, gateway_id: "gw", kind: "alert" })),
        ...["gw:3", "gw:6", "gw:12"].map((id) => ({ id, gateway_id: "gw", kind: "passage" })),
        { id: "gw:8", gateway_id: "gw", kind: "device_status" },
        { id: "gw-h:1", gateway_id: "gw-h", kind: "passage" },
      ],
      alerts: [{ gateway_id: "gw", alert_id: "gw:2", state: "resolved" }],
      alertChanges: [
        { id: "gw:2", gateway_id: "gw", alert_id: "gw:2" },
        { id: "gw:7", gateway_id: "gw", alert_id: "gw:2" },
      ],
      gatewayAlertStates: { "gw:2": "resolved" },
      siteCounts: [
        { date: "2023-11-15", site_id: "site-1", passages: 3, allowed: 2, denied: 1 },
        { date: "2023-11-15", site_id: "site-h", passages: 1, allowed: 1, denied: 0 },
      ],
      gatewayCounts: [
        { date: "2023-11-15", gateway_id: "gw", passages: 3, allowed: 2, denied: 1 },
        { date: "2023-11-15", gateway_id: "gw-h", passages: 1, allowed: 1, denied: 0 },
      ],
      deadLetters: ['{"id":"gw-h:900000001","alert_id":"gw:2","state":"resolved"'],
      exits: [{ atMs: 30_000, planned: true, detail: "w1 exit SIGKILL" }],
      api: [
        { atMs: 2000, route: "/api/district/alerts", status: 200 },
        // Asked while PostgreSQL restarted: "try again".
        { atMs: 31_000, route: "/api/district/summary", status: 503 },
      ],
      apiAlertIds: ["gw:2"],
    },
  };
}

function row<T extends object>(
  seq: number,
  atMs: number,
  msgId: string | null,
  checkpoint: string,
  device: string,
  rest: T,
) {
  return {
    seq,
    ts_ms: T0 + atMs,
    msg_id: msgId,
    checkpoint_id: checkpoint,
    device_id: device,
    ...rest,
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
          ts_ms: T0 + 2100,
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
        run.stored.deviceStatus.push({ seq: 6, ts_ms: T0 + 8000 });
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
        // The gateway's own promise, not the district's: the district side left out.
        delete run.district;
      },
      "every reading and scan decided as docs/contract.md#screening-and-decisions says (its passage; lone halves at window end)",
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
        run.stored.readings.push(
          row(9, 3000, "ghost", "gate-t", "thermo-t", { status: "normal", raw_c: 36.6 }),
        );
        run.stored.passages.push({
          seq: 10,
          ts_ms: T0 + 3000,
          reading_id: "gw:9",
          scan_id: null,
          decision: "allow",
          reasons: "",
        });
        run.upstream.push({ id: "gw:10", kind: "passage" });
        delete run.district;
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
      "a reading a screen was shown that is not stored",
      (run) => {
        run.kiosk.push('{"type":"reading","data":{"id":"gw:40","ts":"2023-11-14T22:13:25.000Z"}}');
      },
      "everything a screen was shown as stored is stored",
    ],
    [
      "a serial reading nobody put on the wire",
      (run) => {
        const [serial] = run.stored.readings.filter((r) => r.device_id === "thermo-s");
        if (serial) serial.raw_c = 39.9;
      },
      "serial: nothing stored that the devices did not put on the wire",
    ],
    [
      "a serial device never read again after a restart",
      (run) => {
        run.faults.push({ atMs: 13_000, kind: "sigterm", untilMs: 14_000 });
        run.exits.push({ atMs: 13_000, planned: true, detail: "exit 0" });
      },
      "serial: read again after every restart and every cable pulled",
    ],
    [
      "a refused guard action",
      (run) => {
        run.actions.push({
          what: "ack gw:2",
          status: 500,
          allowed: [200, 409],
          startMs: 5990,
          atMs: 6000,
        });
      },
      "every guard and admin action answered 2xx or its documented 4xx (503 only on a full disk)",
    ],
    [
      "a 503 with the disk not full",
      (run) => {
        run.actions.push({
          what: "ack gw:2",
          status: 503,
          allowed: [200, 409],
          startMs: 23_100,
          atMs: 23_200,
        });
      },
      "every guard and admin action answered 2xx or its documented 4xx (503 only on a full disk)",
    ],
    [
      "an event the district lost",
      (run) => {
        if (run.district) run.district.stored = run.district.stored.filter((r) => r.id !== "gw:6");
      },
      "district: every event a gateway's outbox handed over stored once",
    ],
    [
      "a forged event the district stored",
      (run) => {
        run.district?.stored.push({ id: "gw:50", gateway_id: "gw-h", kind: "passage" });
      },
      "district: nothing stored that its gateway did not send",
    ],
    [
      "an alert another gateway closed",
      (run) => {
        if (run.district) run.district.gatewayAlertStates["gw:2"] = "open";
      },
      "district: no alert's state changed by another gateway",
    ],
    [
      "a site counted another site's passage",
      (run) => {
        const site = run.district?.siteCounts[0];
        if (site) {
          site.passages += 1;
          site.allowed += 1;
        }
      },
      "district: every site's daily counts are the sum of its own gateways' summaries",
    ],
    [
      "a forgery dropped without a dead letter",
      (run) => {
        if (run.district) run.district.deadLetters = [];
      },
      "district: nothing refused is lost silently (every forgery a dead letter)",
    ],
    [
      "a worker that died unplanned",
      (run) => {
        run.district?.exits.push({ atMs: 40_000, planned: false, detail: "w2 exit 1" });
      },
      "district: no worker exits unplanned",
    ],
    [
      "an API request that failed",
      (run) => {
        run.district?.api.push({ atMs: 41_000, route: "/api/district/alerts", status: 500 });
      },
      "district: the API answered every dashboard request (200, or 503 while PostgreSQL was away)",
    ],
    [
      "an alert the API's pages gave twice",
      (run) => {
        run.district?.apiAlertIds.push("gw:2");
      },
      "district: the API's alert pages give every stored alert once",
    ],
    [
      "an alert the API's pages left out",
      (run) => {
        if (run.district) run.district.apiAlertIds = [];
      },
      "district: the API's alert pages give every stored alert once",
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

describe("pointing at what preceded a violation", () => {
  it("gives the earliest violation's time, and the fault before it", () => {
    const run = cleanRun();
    run.sent.push({ msgId: "r9", kind: "reading", acked: true, atMs: 12_500 });
    const lost = check(run).find((v) => !v.ok);
    expect(lost).toMatchObject({
      invariant: "every acknowledged reading and scan stored exactly once",
      firstAtMs: 12_500,
    });
    expect(faultBefore(run, lost?.firstAtMs ?? 0)).toMatchObject({ kind: "sigkill", atMs: 10_000 });
    expect(faultBefore(run, 9000)).toBeNull();
  });
});

describe("the soak's fault schedule", () => {
  it("is the same for the same seed, and mixes the kinds", () => {
    const a = faultSchedule(4, 600_000, 10_000);
    expect(faultSchedule(4, 600_000, 10_000)).toEqual(a);
    expect(faultSchedule(5, 600_000, 10_000)).not.toEqual(a);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(FAULTS));
    expect(a.every((f, i) => i === 0 || f.atMs - (a[i - 1]?.atMs ?? 0) >= 1000)).toBe(true);
    expect(a.at(-1)?.atMs).toBeLessThan(600_000);
  });
});
