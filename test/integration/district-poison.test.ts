import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistrictRig,
  registerGateways,
  startDistrictRig,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";

/**
 * No event can stop a district worker: a gateway's account (the example ACL lets it write only
 * under its own id) sends what no gateway would, each followed by another gateway's real fever,
 * against Debian's Mosquitto, a PostgreSQL cluster of the test's own and a worker process.
 */
let rig: DistrictRig;
const count = (sql: string, params: unknown[] = []) => rig.count(sql, params);

let fevers = 0;
/** gw-b's next real fever; resolves once the district has stored it. */
async function honestFever(): Promise<void> {
  fevers += 1;
  const id = `gw-b:${fevers}`;
  await (rig.clients.get("gw-b") as MqttClient).publishAsync(
    "district/site-b/gw-b/alert",
    JSON.stringify({
      id,
      alert_id: id,
      seq: fevers,
      kind: "fever",
      state: "open",
      checkpoint_id: "gate-1",
      temp_c: 38.6,
      ts: new Date().toISOString(),
      opened_at: new Date().toISOString(),
    }),
    { qos: 1 },
  );
  await eventually(
    async () =>
      (await count("SELECT count(*) AS n FROM alerts WHERE alert_id = $1", [id])) === 1
        ? true
        : undefined,
    15_000,
  );
}

beforeAll(async () => {
  rig = await startDistrictRig("district-poison", ["gw-a", "gw-b"]);
  await registerGateways(rig.postgres.url("district"), [
    { gatewayId: "gw-a", siteId: "site-a" },
    { gatewayId: "gw-b", siteId: "site-b" },
  ]);
}, 60_000);

afterAll(() => rig?.close());

const passage = (seq: number, fields: Record<string, unknown>) =>
  JSON.stringify({
    id: `gw-a:${seq}`,
    seq,
    ts: new Date().toISOString(),
    checkpoint_id: "gate-1",
    decision: "allow",
    reasons: [],
    temp_c: 36.5,
    ...fields,
  });
const nextYear = new Date(Date.now() + 366 * 86_400_000).toISOString();

/** What a hostile or broken gateway sends, and the dead letter's reason for each. */
const POISON: [string, string, string, RegExp][] = [
  [
    "a time past JavaScript's (year 275760)",
    "passage",
    passage(1, { ts: "+275760-09-13T00:00:00.000Z" }),
    /outside the window/,
  ],
  [
    "the earliest JavaScript time (year -271821)",
    "passage",
    passage(2, { ts: "-271821-04-20T00:00:00.000Z" }),
    /outside the window/,
  ],
  ["1970", "passage", passage(3, { ts: "1970-01-01T00:00:00.000Z" }), /outside the window/],
  ["next year", "passage", passage(4, { ts: nextYear }), /outside the window/],
  ["a 1 MB field", "passage", passage(5, { note: "x".repeat(1024 * 1024) }), /bytes, over 65536/],
  ["a NUL", "passage", passage(6, { checkpoint_id: "gate\u0000x" }), /holds a NUL/],
  ["wrong types", "passage", passage(7, { temp_c: "hot", decision: 3 }), /temp_c|decision/],
  // Takes the worker's checks but not PostgreSQL's: a real (float4) cannot hold 1e39.
  [
    "a temperature PostgreSQL's real cannot hold",
    "reading",
    JSON.stringify({
      id: "gw-a:8",
      seq: 8,
      ts: new Date().toISOString(),
      checkpoint_id: "gate-1",
      status: "fever",
      temp_c: 1e39,
    }),
    /the district database refused it/,
  ],
  ["garbage", "scan", "\u0001\u0002 not json", /not JSON/],
];

describe("a worker no event can stop", () => {
  it.each(POISON)(
    "keeps %s as a dead letter, alone, and stores the next fever from another gateway",
    async (_, kind, payload, reason) => {
      const before = await count("SELECT count(*) AS n FROM dead_letters");
      await (rig.clients.get("gw-a") as MqttClient).publishAsync(
        `district/site-a/gw-a/${kind}`,
        payload,
        { qos: 1 },
      );
      await honestFever();
      await eventually(
        async () =>
          (await count("SELECT count(*) AS n FROM dead_letters")) > before ? true : undefined,
        15_000,
      );
      const dead = await rig.db.query<{ gateway_id: string; site_id: string; reason: string }>(
        "SELECT gateway_id, site_id, reason FROM dead_letters ORDER BY id DESC LIMIT 1",
      );
      expect(dead.rows[0]).toMatchObject({ gateway_id: "gw-a", site_id: "site-a" });
      expect(dead.rows[0]?.reason).toMatch(reason);
    },
    40_000,
  );

  it("stores none of them, and a worker started again is not held up by any", async () => {
    expect(await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM readings WHERE gateway_id = 'gw-a'")).toBe(0);
    const deadBefore = await count("SELECT count(*) AS n FROM dead_letters");
    expect(deadBefore).toBe(POISON.length);
    await rig.restartWorker();
    // Every one was acknowledged once kept: nothing comes back to block the new worker.
    await honestFever();
    expect(await count("SELECT count(*) AS n FROM dead_letters")).toBe(deadBefore);
    // Only months inside the window have partitions.
    const partitions = await rig.db.query<{ name: string }>(
      "SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname ~ '^(passages|readings)_'",
    );
    const thisYear = new Date().getUTCFullYear();
    for (const { name } of partitions.rows)
      expect(Number(/_(\d{4})_/.exec(name)?.[1])).toBeGreaterThanOrEqual(thisYear - 1);
  }, 60_000);
});
