import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistrictRig,
  registerGateways,
  startDistrictRig,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";

/**
 * What one stolen gateway password can do to the district (docs/fleet.md#what-one-gateways-password-can-do),
 * tried against Debian's Mosquitto with the example ACL, a PostgreSQL cluster of the test's own
 * and a worker process with one session (so what the broker delivers is stored in its order, and
 * an event stored after a forgery proves the forgery was dealt with). gw-a is the attacker's,
 * gw-b an honest gateway of another site, gw-new a gateway with an account the registry does
 * not know yet.
 */
let rig: DistrictRig;
const count = (sql: string, params: unknown[] = []) => rig.count(sql, params);
const client = (id: string) => rig.clients.get(id) as MqttClient;
const now = () => new Date().toISOString();

let seq = 0;
const alertChange = (gateway: string, alertId: string, state: string, n = ++seq) => ({
  id: `${gateway}:${n}`,
  alert_id: alertId,
  kind: "fever",
  state,
  checkpoint_id: "gate-1",
  temp_c: 38.6,
  ts: now(),
  opened_at: now(),
});
const passage = (gateway: string, fields: Record<string, unknown> = {}) => ({
  id: `${gateway}:${++seq}`,
  ts: now(),
  checkpoint_id: "gate-1",
  decision: "allow",
  reasons: [],
  temp_c: 36.5,
  ...fields,
});

async function publish(from: string, topic: string, payload: object): Promise<void> {
  await client(from).publishAsync(topic, JSON.stringify(payload), { qos: 1 });
}

/** gw-a's own next passage, once stored: everything gw-a sent before it has been dealt with. */
async function attackerMarker(): Promise<void> {
  const marker = passage("gw-a");
  await publish("gw-a", "district/site-a/gw-a/passage", marker);
  await eventually(
    async () =>
      (await count("SELECT count(*) AS n FROM passages WHERE id = $1", [marker.id])) === 1
        ? true
        : undefined,
    15_000,
  );
}

const alertState = async (alertId: string) =>
  (
    await rig.db.query<{ gateway_id: string; state: string }>(
      "SELECT gateway_id, state FROM alerts WHERE alert_id = $1",
      [alertId],
    )
  ).rows;

const lastDeadLetter = async () =>
  (
    await rig.db.query<{ gateway_id: string; reason: string }>(
      "SELECT gateway_id, reason FROM dead_letters ORDER BY id DESC LIMIT 1",
    )
  ).rows[0];

beforeAll(async () => {
  rig = await startDistrictRig("district-identity", ["gw-a", "gw-b", "gw-new"], {
    connections: 1,
  });
  await registerGateways(rig.postgres.url("district"), [
    { gatewayId: "gw-a", siteId: "site-a" },
    { gatewayId: "gw-b", siteId: "site-b" },
  ]);
}, 60_000);

afterAll(() => rig?.close());

describe("what one gateway's password cannot do to the district", () => {
  it("cannot close another gateway's fever by naming its alert id", async () => {
    const real = alertChange("gw-b", "gw-b:500", "open", 500);
    await publish("gw-b", "district/site-b/gw-b/alert", real);
    await eventually(async () => ((await alertState("gw-b:500")).length === 1 ? true : undefined));
    await publish(
      "gw-a",
      "district/site-a/gw-a/alert",
      alertChange("gw-a", "gw-b:500", "resolved", 999_999_999),
    );
    await attackerMarker();
    expect(await alertState("gw-b:500")).toEqual([{ gateway_id: "gw-b", state: "open" }]);
    expect(await lastDeadLetter()).toEqual({
      gateway_id: "gw-a",
      reason: expect.stringMatching(/alert_id "gw-b:500" is not one of gw-a's alerts/),
    });
  });

  it("cannot resolve another gateway's fever in advance", async () => {
    await publish(
      "gw-a",
      "district/site-a/gw-a/alert",
      alertChange("gw-a", "gw-b:600", "resolved", 999_999_998),
    );
    await attackerMarker();
    await publish(
      "gw-b",
      "district/site-b/gw-b/alert",
      alertChange("gw-b", "gw-b:600", "open", 600),
    );
    await eventually(async () => ((await alertState("gw-b:600")).length === 1 ? true : undefined));
    expect(await alertState("gw-b:600")).toEqual([{ gateway_id: "gw-b", state: "open" }]);
  });

  it("cannot publish under another gateway's id (the broker's ACL drops it)", async () => {
    await publish(
      "gw-a",
      "district/site-b/gw-b/alert",
      alertChange("gw-b", "gw-b:700", "open", 700),
    );
    await attackerMarker();
    expect(await alertState("gw-b:700")).toEqual([]);
    expect(
      await count("SELECT count(*) AS n FROM dead_letters WHERE payload LIKE '%gw-b:700%'"),
    ).toBe(0);
  });

  it("cannot report as another site, by its topic or by a field", async () => {
    const siteB = () => count("SELECT count(*) AS n FROM passages WHERE site_id = 'site-b'");
    const before = await siteB();
    await publish("gw-a", "district/site-b/gw-a/passage", passage("gw-a"));
    await attackerMarker();
    expect(await lastDeadLetter()).toEqual({
      gateway_id: "gw-a",
      reason: expect.stringMatching(/gateway gw-a belongs to site site-a, not site-b/),
    });
    await publish("gw-a", "district/site-a/gw-a/passage", passage("gw-a", { site_id: "site-b" }));
    await attackerMarker();
    expect(await lastDeadLetter()).toMatchObject({
      reason: expect.stringMatching(/site_id "site-b" is not the topic's site-a/),
    });
    expect(await siteB()).toBe(before);
    const row = await rig.db.query("SELECT site_id FROM gateways WHERE gateway_id = 'gw-a'");
    expect(row.rows).toEqual([{ site_id: "site-a" }]);
  });

  it("keeps an unknown gateway's events apart, counted in no site, until an admin assigns it", async () => {
    const first = passage("gw-new");
    await publish("gw-new", "district/site-new/gw-new/passage", first);
    await publish("gw-new", "district/site-new/gw-new/status", {
      online: true,
      connection: 1,
      n: 0,
    });
    // Its topic names a site the admin will not assign it to: refused when it is assigned.
    await publish("gw-new", "district/site-elsewhere/gw-new/passage", passage("gw-new"));
    await eventually(async () =>
      (await count("SELECT count(*) AS n FROM quarantine WHERE gateway_id = 'gw-new'")) === 3
        ? true
        : undefined,
    );
    expect(await count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-new'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM gateways WHERE gateway_id = 'gw-new'")).toBe(0);

    await registerGateways(rig.postgres.url("district"), [
      { gatewayId: "gw-new", siteId: "site-new", siteName: "新区" },
    ]);
    expect(await count("SELECT count(*) AS n FROM quarantine WHERE gateway_id = 'gw-new'")).toBe(0);
    const stored = await rig.db.query(
      "SELECT id, site_id FROM passages WHERE gateway_id = 'gw-new' ORDER BY id",
    );
    expect(stored.rows).toEqual([{ id: first.id, site_id: "site-new" }]);
    const gateway = await rig.db.query(
      "SELECT site_id, online FROM gateways WHERE gateway_id = 'gw-new'",
    );
    expect(gateway.rows).toEqual([{ site_id: "site-new", online: true }]);
    expect(await lastDeadLetter()).toEqual({
      gateway_id: "gw-new",
      reason: expect.stringMatching(/belongs to site site-new, not site-elsewhere/),
    });
    // From now on its events go straight in.
    const next = passage("gw-new");
    await publish("gw-new", "district/site-new/gw-new/passage", next);
    await eventually(async () =>
      (await count("SELECT count(*) AS n FROM passages WHERE id = $1", [next.id])) === 1
        ? true
        : undefined,
    );
  });

  it("stops nothing: the worker that took every forgery is still the one running", () => {
    expect(rig.worker.exitCode).toBe(null);
    expect(rig.worker.output()).not.toMatch(/"level":50/);
  });
});
