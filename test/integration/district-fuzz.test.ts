import fc from "fast-check";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPSTREAM_KINDS } from "../../common/upstream-routes.js";
import {
  type DistrictRig,
  registerGateways,
  startDistrictRig,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";

/**
 * Fuzzing a real district worker at its doors (fast-check, seeded per run, bounded): random
 * payloads under a gateway account's topics, random requests to the console's registry routes
 * as its admin, random queries to the contract's API (docs/contract.md#the-district-centre) with
 * good and bad tokens, random live-channel upgrades. Whatever arrives, the worker stays up, never
 * answers 5xx, and the next real fever of another gateway is stored.
 */
const ADMIN_PASSWORD = "district-admin-pass";
let rig: DistrictRig;
let cookie = "";
const base = () => `http://127.0.0.1:${rig.consolePort()}`;

let fevers = 0;
async function nextFeverStored(): Promise<void> {
  fevers += 1;
  const id = `gw-b:${fevers}`;
  await (rig.clients.get("gw-b") as MqttClient).publishAsync(
    "district/site-b/gw-b/alert",
    JSON.stringify({
      id,
      alert_id: id,
      kind: "fever",
      state: "open",
      temp_c: 38.6,
      ts: new Date().toISOString(),
    }),
    { qos: 1 },
  );
  await eventually(async () =>
    (await rig.count("SELECT count(*) AS n FROM alerts WHERE alert_id = $1", [id])) === 1
      ? true
      : undefined,
  );
  expect(rig.worker.exitCode).toBe(null);
}

beforeAll(async () => {
  // One session: what the broker delivers is taken in its order, so the fever stored after the
  // fuzz shows every fuzzed message was dealt with first.
  rig = await startDistrictRig("district-fuzz", ["gw-a", "gw-b"], {
    connections: 1,
    worker: { console: { port: 0, host: "127.0.0.1", admin_password: ADMIN_PASSWORD } },
  });
  await registerGateways(rig.postgres.url("district"), [
    { gatewayId: "gw-a", siteId: "site-a" },
    { gatewayId: "gw-b", siteId: "site-b" },
  ]);
  const login = await fetch(`${base()}/district/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
}, 60_000);

afterAll(() => rig?.close());

describe("fuzzing a real district worker", () => {
  it("MQTT: random payloads under one gateway's topics, of every kind and any site", async () => {
    const value = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        "+275760-09-13T00:00:00.000Z",
        "gw-b:1",
        "gw-a:9",
        "\u0000",
        "1970-01-01T00:00:00Z",
      ),
    );
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc
        .dictionary(
          fc.constantFrom(
            "id",
            "alert_id",
            "ts",
            "opened_at",
            "decision",
            "temp_c",
            "site_id",
            "gateway_id",
            "state",
            "kind",
            "online",
            "connection",
            "n",
            "date",
            "reasons",
          ),
          value,
        )
        .map((body) => Buffer.from(JSON.stringify(body))),
    );
    const client = rig.clients.get("gw-a") as MqttClient;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("site-a", "site-b", "x"),
        fc.constantFrom(...UPSTREAM_KINDS, "status", "nonsense"),
        payload,
        async (site, kind, body) => {
          await client.publishAsync(`district/${site}/gw-a/${kind}`, body, { qos: 1 });
        },
      ),
      { numRuns: 300 },
    );
    await nextFeverStored();
  }, 120_000);

  it("HTTP: random requests to the registry routes, as admin, never a 5xx", async () => {
    const text = fc.string({ maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "PUT", "POST", "DELETE"),
        fc.constantFrom(
          "/district/api/registry",
          "/district/api/registry/quarantine",
          "/district/api/registry/",
        ),
        text,
        fc.oneof(
          text,
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.constant('{"site_id":"s","enabled":true}'),
        ),
        async (method, path, tail, body) => {
          const response = await fetch(`${base()}${path}${encodeURIComponent(tail)}`, {
            method,
            headers: { cookie, "content-type": "application/json" },
            ...(method === "GET" ? {} : { body }),
          });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    await nextFeverStored();
  }, 120_000);

  it("HTTP: random queries to the contract's API, with a token, with anything as a token, never a 5xx", async () => {
    const login = await fetch(`${base()}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    // A real cursor (earlier tests stored fevers), to page on from.
    const first = await fetch(`${base()}/api/district/alerts?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { next_cursor: realCursor } = (await first.json()) as { next_cursor: string | null };
    expect(realCursor).toEqual(expect.any(String));
    // Each parameter valid half the time (so the queries behind them run) and hostile otherwise.
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom(
        "2026-02-30",
        "+275760-09-13T00:00:00.000Z",
        "-271821-04-20T00:00:00.000Z",
        "0",
        "-1",
        "1e9",
        "eyJ0cyI6IngiLCJpZCI6MX0",
        "%00",
      ),
    );
    const instant = fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(2100, 0)) })
      .map((d) => d.toISOString());
    const valid: Record<string, fc.Arbitrary<string>> = {
      site: fc.constantFrom("site-a", "site-b"),
      kind: fc.constantFrom("fever", "device_offline"),
      state: fc.constantFrom("open", "acknowledged", "resolved"),
      from: instant,
      to: instant,
      limit: fc.integer({ min: 1, max: 500 }).map(String),
      cursor: fc.constant(realCursor as string),
      date: instant.map((t) => t.slice(0, 10)),
    };
    const query = fc.record(
      Object.fromEntries(
        Object.entries(valid).map(([key, good]) => [key, fc.oneof(good, hostile)]),
      ),
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/api/district/gateways",
          "/api/district/alerts",
          "/api/district/summary",
          "/api/district/export/alerts.csv",
          "/api/district/export/passages.csv",
          "/api/district/nonsense",
        ),
        query,
        fc.oneof(
          { arbitrary: fc.constant(`Bearer ${token}`), weight: 4 },
          {
            arbitrary: fc
              .string({ maxLength: 60 })
              .map((v) => `Bearer ${v.replace(/[^\x20-\x7e]/g, "")}`),
            weight: 1,
          },
          { arbitrary: fc.constant(`Bearer ${token.slice(0, -1)}`), weight: 1 },
        ),
        async (path, params, authorization) => {
          const search = new URLSearchParams(params as Record<string, string>);
          const response = await fetch(`${base()}${path}?${search}`, {
            headers: { authorization },
          });
          expect(response.status).toBeLessThan(500);
          const body = await response.text();
          if (response.status === 200 && !path.endsWith(".csv"))
            expect(() => JSON.parse(body)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
    await nextFeverStored();
  }, 120_000);

  it("WebSocket: random live-channel upgrades, never a 5xx", async () => {
    const { connect } = await import("node:net");
    const text = fc.string({ unit: "binary", maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/district/live", "/live/district", "/", "//["),
        text,
        text,
        async (path, cookieText, origin) => {
          const clean = (v: string) => v.replace(/[\r\n]/g, "");
          const request =
            `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
            `Cookie: ${clean(cookieText)}\r\nOrigin: ${clean(origin)}\r\n\r\n`;
          const answer = await new Promise<string>((resolve) => {
            const socket = connect(rig.consolePort(), "127.0.0.1");
            let got = "";
            const done = () => {
              socket.destroy();
              resolve(got);
            };
            socket.on("data", (chunk) => {
              got += chunk.toString("latin1");
            });
            socket.on("error", done);
            socket.on("close", done);
            socket.write(Buffer.from(request, "latin1"));
            setTimeout(done, 300).unref();
          });
          expect(answer).not.toMatch(/^HTTP\/1\.1 5\d\d/);
        },
      ),
      { numRuns: 150 },
    );
    await nextFeverStored();
  }, 120_000);
});
