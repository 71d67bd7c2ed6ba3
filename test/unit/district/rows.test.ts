import { describe, expect, it } from "vitest";
import { districtRow } from "../../../district/rows.js";

const row = (topic: string, payload: unknown, prefix = "district") =>
  districtRow(
    prefix,
    topic,
    Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
  );

describe("districtRow: what arrives from a gateway, as a row for the district's tables", () => {
  it.each([
    [
      "a passage",
      "district/site-1/gw-1/passage",
      { id: "gw-1:42", ts: "2026-12-01T08:00:00.000Z", decision: "allow" },
      {
        kind: "passage",
        siteId: "site-1",
        gatewayId: "gw-1",
        id: "gw-1:42",
        seq: 42,
        ts: "2026-12-01T08:00:00.000Z",
      },
    ],
    [
      "an alert change timed by its opening when it has no ts",
      "district/site-1/gw-1/alert",
      {
        id: "gw-1:7",
        alert_id: "gw-1:5",
        kind: "fever",
        state: "acknowledged",
        opened_at: "2026-12-01T08:00:00.000Z",
      },
      { kind: "alert", seq: 7, ts: "2026-12-01T08:00:00.000Z" },
    ],
    [
      "a summary (no time, it has its date)",
      "district/site-1/gw-1/summary",
      { id: "gw-1:9", date: "2026-12-01" },
      { kind: "summary", seq: 9, ts: null },
    ],
    [
      "a gateway's id with a colon in it",
      "district/site-1/gw:a/reading",
      { id: "gw:a:3", ts: "2026-12-01T08:00:00.000Z" },
      { kind: "reading", gatewayId: "gw:a", seq: 3 },
    ],
    [
      "a status that says only online",
      "district/site-1/gw-1/status",
      { online: true },
      { kind: "status", online: true, queueDepth: null, queueAgeS: null },
    ],
    [
      "a status with the gateway's backlog",
      "district/site-1/gw-1/status",
      { online: true, queue_depth: 1200, oldest_age_s: 3600 },
      { kind: "status", online: true, queueDepth: 1200, queueAgeS: 3600 },
    ],
    [
      "a status whose backlog figures are nonsense: not said",
      "district/site-1/gw-1/status",
      { online: true, queue_depth: -1, oldest_age_s: "long" },
      { kind: "status", queueDepth: null, queueAgeS: null },
    ],
    [
      "the last will",
      "district/site-1/gw-1/status",
      { online: false },
      { kind: "status", online: false },
    ],
    [
      "a prefix of several levels",
      "city/district-9/site-1/gw-1/passage",
      { id: "gw-1:1", ts: "2026-12-01T08:00:00.000Z", decision: "deny", reasons: ["fever"] },
      { kind: "passage", siteId: "site-1" },
      "city/district-9",
    ],
  ])("takes %s", (_name, topic, payload, expected, prefix = "district") => {
    expect(row(topic, payload, prefix)).toMatchObject(expected);
  });

  it.each([
    ["another prefix", "other/site-1/gw-1/passage", { id: "gw-1:1" }, /is not district\/<site>/],
    ["too few levels", "district/gw-1/passage", { id: "gw-1:1" }, /is not district\/<site>/],
    ["too many levels", "district/a/b/c/passage", { id: "b:1" }, /is not district\/<site>/],
    ["an unknown kind", "district/site-1/gw-1/selfie", { id: "gw-1:1" }, /unknown kind selfie/],
    ["not JSON", "district/site-1/gw-1/passage", "{oops", /not JSON/],
    ["a JSON array", "district/site-1/gw-1/passage", [1, 2], /not a JSON object/],
    ["JSON null", "district/site-1/gw-1/passage", "null", /not a JSON object/],
    ["no id", "district/site-1/gw-1/passage", { ts: "x" }, /is not gw-1:<seq>/],
    ["another gateway's id", "district/site-1/gw-1/passage", { id: "gw-2:5" }, /is not gw-1:<seq>/],
    ["an id without a seq", "district/site-1/gw-1/passage", { id: "gw-1:x" }, /is not gw-1:<seq>/],
    ["a status without online", "district/site-1/gw-1/status", { queue_depth: 3 }, /online is not/],
    [
      "a passage whose temperature is a word",
      "district/site-1/gw-1/passage",
      { id: "gw-1:1", ts: "2026-12-01T08:00:00Z", decision: "allow", temp_c: "hot" },
      /gw-1:1 temp_c: /,
    ],
    [
      "a passage with a decision the contract does not have",
      "district/site-1/gw-1/passage",
      { id: "gw-1:1", ts: "2026-12-01T08:00:00Z", decision: "maybe" },
      /decision: /,
    ],
    [
      "a passage whose reasons are not a list of words",
      "district/site-1/gw-1/passage",
      { id: "gw-1:1", ts: "2026-12-01T08:00:00Z", decision: "deny", reasons: "fever" },
      /reasons: /,
    ],
    [
      "an alert change with no alert id",
      "district/site-1/gw-1/alert",
      { id: "gw-1:2", kind: "fever", state: "open" },
      /alert_id: /,
    ],
    [
      "an alert opened at a time that is not one",
      "district/site-1/gw-1/alert",
      { id: "gw-1:2", alert_id: "gw-1:2", kind: "fever", state: "open", opened_at: "noon" },
      /opened_at: not a time/,
    ],
    [
      "a seq too large for the district's columns",
      "district/site-1/gw-1/passage",
      { id: "gw-1:99999999999999999999", ts: "2026-12-01T08:00:00Z", decision: "allow" },
      /is not gw-1:<seq>/,
    ],
  ])("refuses %s, saying why", (_name, topic, payload, problem) => {
    const result = row(topic, payload);
    expect(result).toHaveProperty("problem");
    expect((result as { problem: string }).problem).toMatch(problem);
  });

  it.each(["passage", "reading"])(
    "refuses a %s without a usable time (never one made up)",
    (kind) => {
      expect(
        row(`district/s/gw-1/${kind}`, { id: "gw-1:1", ts: "yesterday-ish", decision: "allow" }),
      ).toEqual({
        problem: `district/s/gw-1/${kind}: ${kind} gw-1:1 has no usable ts`,
      });
    },
  );

  it("keeps an alert change whose time is unusable, with no time", () => {
    expect(
      row("district/s/gw-1/alert", {
        id: "gw-1:1",
        alert_id: "gw-1:1",
        kind: "fever",
        state: "open",
        ts: "soon",
      }),
    ).toMatchObject({ ts: null });
  });
});
