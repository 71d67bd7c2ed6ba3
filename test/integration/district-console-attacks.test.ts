import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DistrictRig, startDistrictRig } from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";

/**
 * The district console's ways in, attacked against a real worker process with its console
 * (behind an HTTPS proxy: `trust_proxy`), PostgreSQL and Mosquitto: no request stops the worker,
 * guessing never locks the right password out at another address, another site's page cannot
 * open the live channel, and the session cookie is Secure over HTTPS.
 */
const ADMIN_PASSWORD = "district-admin-pass";
let rig: DistrictRig;
const url = (path: string) => `http://127.0.0.1:${rig.consolePort()}${path}`;

function login(password: string, from: string, proto = "https") {
  return fetch(url("/district/api/login"), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": from,
      "x-forwarded-proto": proto,
    },
    body: JSON.stringify({ username: "admin", password }),
  });
}

/** Opens the live channel; resolves with the handshake's HTTP status (101 when it opened). */
function upgrade(headers: Record<string, string>, path = "/district/live"): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${rig.consolePort()}${path}`, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", () => resolve(0));
  });
}

let cookie = "";
beforeAll(async () => {
  rig = await startDistrictRig("district-console-attacks", [], {
    worker: {
      console: { port: 0, host: "127.0.0.1", admin_password: ADMIN_PASSWORD, trust_proxy: true },
    },
  });
  const response = await login(ADMIN_PASSWORD, "198.51.100.1");
  cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}, 60_000);

afterAll(() => rig?.close());

describe("the district console under attack", () => {
  it("sets a Secure session cookie when reached over HTTPS, and not over plain HTTP", async () => {
    expect((await login(ADMIN_PASSWORD, "198.51.100.2")).headers.get("set-cookie")).toMatch(
      /HttpOnly; SameSite=Strict; Path=\/; Secure$/,
    );
    expect(
      (await login(ADMIN_PASSWORD, "198.51.100.3", "http")).headers.get("set-cookie"),
    ).not.toMatch(/Secure/);
  });

  it("never locks the right password out at another address, whatever is guessed at one", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login("a-wrong-guess", "203.0.113.7")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The guesser's address is throttled; the admin's, behind the same proxy, is not.
    expect((await login(ADMIN_PASSWORD, "203.0.113.7")).status).toBe(429);
    expect((await login(ADMIN_PASSWORD, "198.51.100.9")).status).toBe(200);
  });

  it("counts guesses at the API's login and the console's together", async () => {
    const guess = (path: string) =>
      fetch(url(path), {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.8" },
        body: JSON.stringify({ username: "admin", password: "a-wrong-guess" }),
      });
    const statuses: number[] = [];
    for (const path of ["/api/auth/login", "/district/api/login"])
      for (let i = 0; i < 3; i++) statuses.push((await guess(path)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  describe("the API, with hostile logins and queries", () => {
    let token = "";
    let ended = "";
    const apiLogin = async (from: string) => {
      const response = await fetch(url("/api/auth/login"), {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": from },
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    beforeAll(async () => {
      token = await apiLogin("198.51.100.20");
      ended = await apiLogin("198.51.100.21");
      await fetch(url("/api/auth/logout"), {
        method: "POST",
        headers: { authorization: `Bearer ${ended}` },
      });
    });
    const get = (path: string, authorization?: string) =>
      fetch(url(path), { headers: authorization === undefined ? {} : { authorization } });
    const huge = "x".repeat(6000);

    it.each([
      ["a logged-out token", "/api/district/alerts", () => `Bearer ${ended}`, 401],
      ["a guessed token", "/api/district/alerts", () => `Bearer ${"A".repeat(32)}`, 401],
      ["a huge token", "/api/district/gateways", () => `Bearer ${huge}`, 401],
      ["Basic instead of Bearer", "/api/district/gateways", () => "Basic YWRtaW46eA==", 401],
      ["an empty Bearer", "/api/district/gateways", () => "Bearer ", 401],
      [
        "limit past the cap",
        "/api/district/alerts?limit=1000000000000",
        () => `Bearer ${token}`,
        200,
      ],
      ["a negative limit", "/api/district/alerts?limit=-1", () => `Bearer ${token}`, 400],
      ["limit as text", "/api/district/alerts?limit=all", () => `Bearer ${token}`, 400],
      ["a huge cursor", `/api/district/alerts?cursor=${huge}`, () => `Bearer ${token}`, 400],
      [
        "a cursor of a forged shape",
        `/api/district/alerts?cursor=${Buffer.from('[1e400,"a","b"]').toString("base64url")}`,
        () => `Bearer ${token}`,
        400,
      ],
      ["a huge site", `/api/district/alerts?site=${huge}`, () => `Bearer ${token}`, 400],
      [
        "two states",
        "/api/district/alerts?state=open&state=resolved",
        () => `Bearer ${token}`,
        400,
      ],
      [
        "a time past year 275760",
        "/api/district/alerts?from=99999999999999999999",
        () => `Bearer ${token}`,
        400,
      ],
      [
        "a bracketed filter (a name of its own, not an object)",
        "/api/district/alerts?site[a]=b",
        () => `Bearer ${token}`,
        200,
      ],
      [
        "a summary of no date",
        "/api/district/summary?date=2026-13-45x",
        () => `Bearer ${token}`,
        400,
      ],
      [
        "an export with a bad filter",
        "/api/district/export/alerts.csv?from=never",
        () => `Bearer ${token}`,
        400,
      ],
      ["a path outside the API", "/api/district/../../etc/passwd", () => `Bearer ${token}`, 404],
    ])("%s: %s", async (_name, path, authorization, status) => {
      expect((await get(path, authorization())).status).toBe(status);
    });

    it("refuses the live channel to a logged-out token, takes a live one", async () => {
      const open = (bearer: string) =>
        upgrade({ authorization: `Bearer ${bearer}` }, "/live/district");
      expect(await open(ended)).toBe(401);
      expect(await open(token)).toBe(101);
      expect(rig.worker.exitCode).toBe(null);
    });
  });

  it("refuses the live channel from another site's page, and takes its own", async () => {
    const host = `127.0.0.1:${rig.consolePort()}`;
    expect(await upgrade({ cookie, origin: "https://evil.example" })).toBe(403);
    expect(await upgrade({ cookie, origin: `http://${host}` })).toBe(101);
    expect(await upgrade({ origin: `http://${host}` })).toBe(401);
  });

  it("lives through live-channel upgrades, logged in or not, while PostgreSQL is down", async () => {
    rig.postgres.stop();
    const statuses = await Promise.all([
      upgrade({ cookie: "district_session=anything" }),
      upgrade({ cookie }),
      upgrade({}),
    ]);
    expect(statuses).toEqual([503, 503, 401]);
    // The console's pages and the API: "try again", not a server fault.
    for (const path of ["/district/api/overview", "/api/district/alerts"]) {
      const page = await fetch(url(path), { headers: { cookie } });
      expect([path, page.status, page.headers.get("retry-after")]).toEqual([path, 503, "5"]);
      expect(((await page.json()) as { error: string }).error).toMatch(/database unavailable/);
    }
    rig.postgres.start();
    await eventually(async () => {
      const overview = await fetch(url("/district/api/overview"), { headers: { cookie } });
      return overview.status === 200 ? true : undefined;
    }, 30_000);
    expect(await upgrade({ cookie })).toBe(101);
    expect(rig.worker.exitCode).toBe(null);
  }, 60_000);
});
