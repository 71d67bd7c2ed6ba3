import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, type RunningGateway, startGateway } from "../helpers/gateway.js";

let gw: RunningGateway;
let admin: Record<string, string>;

beforeAll(async () => {
  gw = await startGateway();
  admin = {
    authorization: `Bearer ${await login(gw.httpUrl)}`,
    "content-type": "application/json",
  };
});
afterAll(async () => {
  await gw.close();
});

const call = (method: string, path: string, body?: unknown, headers = admin) =>
  fetch(`${gw.httpUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("the audit log", () => {
  it("records logins (failed too), pass and user changes and alert actions, newest first", async () => {
    await call(
      "POST",
      "/api/auth/login",
      { username: "admin", password: "not-the-password" },
      { "content-type": "application/json" },
    );
    await call("POST", "/api/passes", { pass_id: "5000000001", holder_name: "周杰" });
    await call("PATCH", "/api/passes/5000000001", { status: "revoked" });
    await call("DELETE", "/api/passes/5000000001");
    await call("POST", "/api/users", {
      username: "day-guard",
      password: "day-guard-pass",
      role: "guard",
    });
    await call("PATCH", "/api/users/day-guard", { password: "another-pass-1" });
    gw.gateway.ingest.submitReading(
      { device_id: "thermo-1", raw_c: 38.8, ambient_c: null, ts_ms: Date.now(), msg_id: null },
      () => {},
    );
    gw.gateway.ingest.flush();
    const alert = gw.gateway.store.alerts.active()[0];
    await call("POST", `/api/alerts/${alert?.id}/resolve`, {
      disposition: "referred",
      confirm_temp_c: 38.7,
    });
    const { items } = (await (await call("GET", "/api/audit?limit=100")).json()) as {
      items: {
        actor: string;
        action: string;
        target: string | null;
        details: Record<string, unknown> | null;
      }[];
    };
    expect(items.map((e) => [e.actor, e.action, e.target])).toEqual([
      ["admin", "alert_resolve", alert?.id],
      ["admin", "user_update", "day-guard"],
      ["admin", "user_create", "day-guard"],
      ["admin", "pass_delete", "5000000001"],
      ["admin", "pass_update", "5000000001"],
      ["admin", "pass_create", "5000000001"],
      ["admin", "login_failed", null],
      ["admin", "login", null],
      // The retention job runs at start, before anyone logs in.
      ["system", "retention", null],
    ]);
    expect(items[0]?.details).toEqual({ disposition: "referred", confirm_temp_c: 38.7 });
    expect(items[1]?.details).toEqual({ fields: ["password"] });
    expect(JSON.stringify(items)).not.toContain("another-pass-1");
    const filtered = (await (await call("GET", "/api/audit?action=login_failed")).json()) as {
      items: unknown[];
    };
    expect(filtered.items).toHaveLength(1);
  });

  it("is for admins only", async () => {
    await gw.gateway.store.accounts.create("guard9", "guard-pass-9", "guard", Date.now());
    const guard = { authorization: `Bearer ${await login(gw.httpUrl, "guard9", "guard-pass-9")}` };
    expect((await fetch(`${gw.httpUrl}/api/audit`, { headers: guard })).status).toBe(403);
    expect((await fetch(`${gw.httpUrl}/api/audit`)).status).toBe(401);
  });

  it("cannot be changed or deleted, even from the database", () => {
    const db = new Database(gw.config.database.path);
    expect(() => db.prepare("UPDATE audit SET actor = 'nobody'").run()).toThrow(
      "the audit log is append-only",
    );
    expect(() => db.prepare("DELETE FROM audit").run()).toThrow("the audit log is append-only");
    db.close();
  });
});
