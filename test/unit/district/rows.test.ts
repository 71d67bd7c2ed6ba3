import { describe, expect, it } from "vitest";
import {
  districtRow,
  type RowLimits,
  refusedRow,
  type StatusOrder,
  statusAfter,
} from "../../../district/rows.js";

/** The worker's defaults (district/config.ts `limits`), and a fixed now. */
const LIMITS: RowLimits = {
  payloadBytes: 64 * 1024,
  textChars: 2000,
  pastMs: 400 * 86_400_000,
  futureMs: 2 * 86_400_000,
};
const NOW = Date.parse("2026-12-01T12:00:00.000Z");

const row = (topic: string, payload: unknown, prefix = "district") =>
  districtRow(
    prefix,
    topic,
    Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
    LIMITS,
    NOW,
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
      { kind: "status", online: false, order: null },
    ],
    [
      "a status with its place: connection and number",
      "district/site-1/gw-1/status",
      { online: true, connection: 1764766486000, n: 3 },
      { kind: "status", order: { connection: 1764766486000, n: 3 } },
    ],
    [
      "a will with its connection (after every status of it)",
      "district/site-1/gw-1/status",
      { online: false, connection: 1764766486000 },
      { kind: "status", online: false, order: { connection: 1764766486000, n: null } },
    ],
    [
      "a status whose number is nonsense: taken in arrival order",
      "district/site-1/gw-1/status",
      { online: true, connection: 1764766486000, n: "3" },
      { kind: "status", order: null },
    ],
    [
      "a status whose connection is nonsense: taken in arrival order",
      "district/site-1/gw-1/status",
      { online: true, connection: -5, n: 1 },
      { kind: "status", order: null },
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

describe("districtRow: what no worker takes, whatever a gateway sends", () => {
  const passage = (fields: Record<string, unknown>) => ({
    id: "gw-1:9",
    ts: "2026-12-01T08:00:00.000Z",
    decision: "allow",
    ...fields,
  });
  it.each([
    [
      "a time JavaScript cannot hold (year 275760)",
      passage({ ts: "+275760-09-13T00:00:00.000Z" }),
      /outside the window/,
    ],
    [
      "the earliest JavaScript time (year -271821)",
      passage({ ts: "-271821-04-20T00:00:00.000Z" }),
      /outside the window/,
    ],
    ["1970", passage({ ts: "1970-01-01T00:00:00.000Z" }), /outside the window/],
    ["next year", passage({ ts: "2027-12-01T08:00:00.000Z" }), /outside the window/],
    ["a NUL in a text", passage({ checkpoint_id: "gate\u00001" }), /checkpoint_id holds a NUL/],
    [
      "a NUL deep in a list",
      passage({ reasons: ["no_pass", "x\u0000"] }),
      /reasons\[1\] holds a NUL/,
    ],
    [
      "a text over the cap",
      passage({ note: "x".repeat(2001) }),
      /note has 2001 characters, over 2000/,
    ],
    ["a key over the cap", passage({ ["k".repeat(2001)]: 1 }), /<key> has 2001 characters/],
    ["a temperature of the wrong type", passage({ temp_c: "hot" }), /temp_c/],
  ])("refuses %s, naming why", (_, payload, reason) => {
    const result = row("district/site-1/gw-1/passage", payload);
    expect(result).toEqual({ problem: expect.stringMatching(reason) });
  });

  it("refuses an alert change opened far in the past, though its own ts is fine", () => {
    const change = {
      id: "gw-1:9",
      alert_id: "gw-1:5",
      kind: "fever",
      state: "open",
      ts: "2026-12-01T08:00:00.000Z",
      opened_at: "1999-01-01T00:00:00.000Z",
    };
    expect(row("district/site-1/gw-1/alert", change)).toEqual({
      problem: expect.stringMatching(/opened_at 1999-01-01T00:00:00.000Z is outside the window/),
    });
  });

  it("refuses a payload over the size cap before reading it", () => {
    const big = JSON.stringify(passage({ pad: "x".repeat(70 * 1024) }));
    expect(row("district/site-1/gw-1/passage", big)).toEqual({
      problem: expect.stringMatching(/over 65536/),
    });
  });

  it("takes the edges of its window: a day's margin inside either end", () => {
    for (const ts of ["2025-10-28T12:00:00.000Z", "2026-12-02T12:00:00.000Z"])
      expect(row("district/site-1/gw-1/passage", passage({ ts }))).toMatchObject({
        kind: "passage",
        ts,
      });
  });

  it("keeps a refused message as its dead letter: gateway and site from the topic, NULs out, the start of it", () => {
    const payload = Buffer.from(`{"id":"gw-1:9","x":"${"\u0000".repeat(3)}${"y".repeat(5000)}"}`);
    const dead = refusedRow("district", "district/site-1/gw-1/passage", payload, "a reason\u0000");
    expect(dead).toMatchObject({
      kind: "refused",
      siteId: "site-1",
      gatewayId: "gw-1",
      reason: "a reason",
    });
    expect(dead.payload).toHaveLength(2000);
    expect(dead.payload.includes("\u0000")).toBe(false);
    expect(refusedRow("district", "elsewhere/x", payload, "r")).toMatchObject({
      siteId: "",
      gatewayId: "",
      topic: "elsewhere/x",
    });
  });
});

describe("statusAfter: which of a gateway's two statuses is newer, whatever order they arrive in", () => {
  const at = (connection: number, n: number | null): StatusOrder => ({ connection, n });
  it.each([
    ["a later status of the same connection", at(100, 4), at(100, 3), true],
    ["an earlier status of the same connection", at(100, 3), at(100, 4), false],
    ["the same status delivered again", at(100, 3), at(100, 3), false],
    ["the will, after the connection's last status", at(100, null), at(100, 9), true],
    ["the connection's last status, overtaken by its will", at(100, 9), at(100, null), false],
    ["a new connection's first status, after the old one's will", at(101, 0), at(100, null), true],
    [
      "an old connection's will, after the new connection's status",
      at(100, null),
      at(101, 0),
      false,
    ],
    ["a status that does not say, after one that does", null, at(100, 3), true],
    ["a status that says, after one that did not", at(100, 3), null, true],
  ])("%s", (_name, a, b, expected) => {
    expect(statusAfter(a, b)).toBe(expected);
  });
});
