import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, type RunningGateway, startGateway } from "../helpers/gateway.js";

let gw: RunningGateway;
let auth: Record<string, string>;

beforeAll(async () => {
  gw = await startGateway();
  auth = { authorization: `Bearer ${await login(gw.httpUrl)}` };
  const ts = Date.parse("2026-11-20T08:00:00+08:00");
  for (let i = 0; i < 1205; i++) {
    gw.gateway.ingest.submitReading(
      {
        device_id: i % 3 === 0 ? "thermo-2" : "thermo-1",
        raw_c: i % 50 === 0 ? 38.5 : 36.5,
        ambient_c: null,
        ts_ms: ts + i * 60_000,
        msg_id: null,
      },
      () => {},
    );
  }
  gw.gateway.ingest.flush();
});
afterAll(async () => {
  await gw.close();
});

const get = async (path: string, headers: Record<string, string> = auth) => {
  const response = await fetch(`${gw.httpUrl}${path}`, { headers });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      items: Record<string, unknown>[];
      next_cursor: string | null;
    },
  };
};

describe("HTTP API", () => {
  it("logs in with the admin password from the config and refuses a wrong one", async () => {
    const bad = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "nope-nope" }),
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: "wrong username or password" });
    const missing = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin" }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/^body\.password: /);
  });

  it("needs a login for /api/readings but not for /api/health", async () => {
    expect((await get("/api/readings", {})).status).toBe(401);
    expect((await get("/api/health", {})).status).toBe(200);
  });

  it("logs out: the token no longer works", async () => {
    const token = await login(gw.httpUrl);
    const out = await fetch(`${gw.httpUrl}/api/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(204);
    expect((await get("/api/readings", { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it("pages readings newest first, 100 by default and at most 1000, walking every row once", async () => {
    const first = await get("/api/readings");
    expect(first.body.items).toHaveLength(100);
    expect(first.body.items[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        seq: expect.any(Number),
        // The newest: the 1205th reading, 1204 minutes after the first.
        ts: new Date(Date.parse("2026-11-20T08:00:00+08:00") + 1204 * 60_000).toISOString(),
        device_id: expect.any(String),
        checkpoint_id: expect.any(String),
        temp_c: expect.any(Number),
        raw_c: expect.any(Number),
        status: expect.any(String),
      }),
    );
    expect((await get("/api/readings?limit=5000")).body.items).toHaveLength(1000);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/readings?limit=400${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.body.items.map((r) => r.seq as number));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(1205);
    expect(new Set(seen).size).toBe(1205);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it("filters by status, device, checkpoint and time (ISO 8601 or ms)", async () => {
    const fevers = await get("/api/readings?status=fever&limit=1000");
    expect(fevers.body.items).toHaveLength(25);
    expect(fevers.body.items.every((r) => r.status === "fever")).toBe(true);
    const gate2 = await get("/api/readings?checkpoint=gate-2&device=thermo-2&limit=1000");
    expect(gate2.body.items).toHaveLength(402);
    const from = "2026-11-20T08:00:00+08:00";
    const to = Date.parse("2026-11-20T08:09:00+08:00");
    const window = await get(`/api/readings?from=${encodeURIComponent(from)}&to=${to}`);
    const minute = (m: number) =>
      new Date(Date.parse("2026-11-20T08:00:00+08:00") + m * 60_000).toISOString();
    expect(window.body.items.map((r) => r.ts)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map(minute));
  });

  it("answers a bad filter with 400 naming the field", async () => {
    const bad = await get("/api/readings?status=hot&from=yesterday&limit=0&cursor=abc");
    expect(bad.status).toBe(400);
    const error = String(bad.body.error);
    expect(error).toContain("query.status: ");
    expect(error).toContain("query.from: must be ISO 8601 or milliseconds since the epoch");
    expect(error).toContain("query.limit: ");
    expect(error).toContain("query.cursor: must be a next_cursor from an earlier page");
  });

  it("answers unknown paths, bad JSON and oversized bodies with a JSON error and no stack", async () => {
    const unknown = await get("/api/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: "no such path: GET /api/nothing-here" });
    const badJson = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    expect(badJson.status).toBe(400);
    expect(JSON.stringify(await badJson.json())).not.toMatch(/at .*\.js|node_modules/);
    const huge = await fetch(`${gw.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "x".repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it("sets security headers", async () => {
    const response = await fetch(`${gw.httpUrl}/api/health`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("serves Prometheus metrics with readings by status", async () => {
    const text = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(text).toContain('checkpoint_readings_total{checkpoint="gate-1",status="normal"}');
    expect(text).toMatch(/checkpoint_fevers_total\{checkpoint="gate-2"\} \d+/);
    expect(text).toContain("checkpoint_ws_clients");
    expect(text).toContain("process_cpu_user_seconds_total");
  });
});
