import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, type RunningGateway, startGateway } from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";

let gw: RunningGateway;
const as: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  gw = await startGateway();
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  as.anonymous = { "content-type": "application/json" };
  as.guard = {
    authorization: `Bearer ${await login(gw.httpUrl, "guard1", "guard-pass-1")}`,
    "content-type": "application/json",
  };
  as.admin = {
    authorization: `Bearer ${await login(gw.httpUrl)}`,
    "content-type": "application/json",
  };
});
afterAll(async () => {
  await gw.close();
});

const call = async (who: string, method: string, path: string, body?: unknown) =>
  (
    await fetch(`${gw.httpUrl}${path}`, {
      method,
      headers: as[who],
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  ).status;

describe("the role matrix: every route for anonymous, guard and admin", () => {
  it.each([
    ["GET", "/api/health", undefined, [200, 200, 200]],
    ["GET", "/metrics", undefined, [200, 200, 200]],
    ["GET", "/kiosk?checkpoint=gate-1", undefined, [200, 200, 200]],
    ["GET", "/api/readings", undefined, [401, 200, 200]],
    ["GET", "/api/alerts", undefined, [401, 200, 200]],
    ["GET", "/api/counts/today", undefined, [401, 200, 200]],
    ["GET", "/api/auth/me", undefined, [401, 200, 200]],
    ["GET", "/guard", undefined, [200, 200, 200]],
    ["POST", "/api/alerts/gw-test:424242/ack", undefined, [401, 404, 404]],
    ["POST", "/api/alerts/gw-test:424242/resolve", { disposition: "released" }, [401, 404, 404]],
    ["GET", "/api/passes", undefined, [401, 403, 200]],
    ["POST", "/api/passes", { pass_id: "matrix-1", holder_name: "测试" }, [401, 403, 201]],
    ["GET", "/api/passes/matrix-1", undefined, [401, 403, 200]],
    ["PATCH", "/api/passes/matrix-1", { status: "revoked" }, [401, 403, 200]],
    ["DELETE", "/api/passes/matrix-1", undefined, [401, 403, 204]],
    ["GET", "/api/users", undefined, [401, 403, 200]],
    ["GET", "/api/audit", undefined, [401, 403, 200]],
    ["GET", "/api/passages", undefined, [401, 200, 200]],
    ["GET", "/api/summary/daily", undefined, [401, 200, 200]],
    ["GET", "/api/passes/import/template.csv", undefined, [401, 403, 200]],
    ["GET", "/api/export/readings.csv", undefined, [401, 403, 200]],
    ["GET", "/api/passages/gw-test:424242", undefined, [401, 404, 404]],
    ["GET", "/api/config", undefined, [401, 403, 200]],
    // This gateway was started without a config file: the reload is refused (422), for admins.
    ["POST", "/api/config/reload", undefined, [401, 403, 409]],
    ["GET", "/admin", undefined, [200, 200, 200]],
    [
      "POST",
      "/api/users",
      { username: "matrix-guard", password: "long-enough-1", role: "guard" },
      [401, 403, 201],
    ],
    ["PATCH", "/api/users/matrix-guard", { role: "guard" }, [401, 403, 200]],
    ["DELETE", "/api/users/matrix-guard", undefined, [401, 403, 204]],
  ] as [string, string, unknown, number[]][])("%s %s", async (method, path, body, expected) => {
    const statuses = [];
    for (const who of ["anonymous", "guard", "admin"])
      statuses.push(await call(who, method, path, body));
    expect(statuses).toEqual(expected);
  });

  it("opens /live/guard for a guard and an admin, not for anyone", async () => {
    await expect(LiveClient.connect(`${gw.wsUrl}/live/guard`)).rejects.toThrow("HTTP 401");
    for (const who of ["guard", "admin"]) {
      const client = await LiveClient.connect(`${gw.wsUrl}/live/guard`, {
        authorization: as[who]?.authorization ?? "",
      });
      await client.waitFor((m) => m.type === "hello");
      await client.close();
    }
  });
});

describe("accounts", () => {
  it("creates a guard who can log in; a new password ends the old sessions", async () => {
    expect(
      await call("admin", "POST", "/api/users", {
        username: "night-guard",
        password: "first-pass-1",
        role: "guard",
      }),
    ).toBe(201);
    const token = await login(gw.httpUrl, "night-guard", "first-pass-1");
    const asNight = { authorization: `Bearer ${token}` };
    expect((await fetch(`${gw.httpUrl}/api/readings`, { headers: asNight })).status).toBe(200);
    expect(
      await call("admin", "PATCH", "/api/users/night-guard", { password: "second-pass-2" }),
    ).toBe(200);
    expect((await fetch(`${gw.httpUrl}/api/readings`, { headers: asNight })).status).toBe(401);
    await login(gw.httpUrl, "night-guard", "second-pass-2");
    const list = (await (await fetch(`${gw.httpUrl}/api/users`, { headers: as.admin })).json()) as {
      items: { username: string; role: string }[];
    };
    expect(list.items.map((u) => [u.username, u.role])).toContainEqual(["night-guard", "guard"]);
    expect(JSON.stringify(list)).not.toContain("password");
  });

  it("refuses bad accounts and keeps the last admin", async () => {
    expect(
      await call("admin", "POST", "/api/users", {
        username: "X Y",
        password: "short",
        role: "boss",
      }),
    ).toBe(400);
    expect(
      await call("admin", "POST", "/api/users", {
        username: "guard1",
        password: "another-pass",
        role: "guard",
      }),
    ).toBe(409);
    expect(await call("admin", "DELETE", "/api/users/admin")).toBe(409);
    expect(await call("admin", "PATCH", "/api/users/admin", { role: "guard" })).toBe(409);
  });

  it("throttles repeated failed logins with 429 and Retry-After", async () => {
    const attempt = () =>
      fetch(`${gw.httpUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "guard1", password: "wrong-guess" }),
      });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
