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
function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${rig.consolePort()}/district/live`, { headers });
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
      /HttpOnly; SameSite=Strict; Path=\/district; Secure$/,
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
    const page = await fetch(url("/district/api/overview"), { headers: { cookie } });
    expect(page.status).toBe(500);
    rig.postgres.start();
    await eventually(async () => {
      const overview = await fetch(url("/district/api/overview"), { headers: { cookie } });
      return overview.status === 200 ? true : undefined;
    }, 30_000);
    expect(await upgrade({ cookie })).toBe(101);
    expect(rig.worker.exitCode).toBe(null);
  }, 60_000);
});
