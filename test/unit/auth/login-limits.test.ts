import { describe, expect, it } from "vitest";
import { LoginLimiter } from "../../../common/login-limiter.js";
import { FailureLog } from "../../../gateway/auth/failure-log.js";
import type { AuditRepository } from "../../../gateway/store/audit.js";

describe("the login limiter", () => {
  it("counts an attempt before it is checked and throttles at the limit, until the window passes", () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 1000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterS(["a"])).toBe(0);
      limiter.count(["a"]);
    }
    expect(limiter.retryAfterS(["a"])).toBe(1);
    expect(limiter.retryAfterS(["b"])).toBe(0);
    now = 1000;
    expect(limiter.retryAfterS(["a"])).toBe(0);
  });

  it("takes back the count of a right password", () => {
    const limiter = new LoginLimiter(2, 1000, () => 5);
    const at = limiter.count(["a"]);
    limiter.count(["a"]);
    limiter.uncount(["a"], at);
    expect(limiter.retryAfterS(["a"])).toBe(0);
  });

  it("forgets expired keys and keeps at most maxKeys", () => {
    let now = 0;
    const limiter = new LoginLimiter(5, 1000, () => now, 100);
    for (let i = 0; i < 500; i++) limiter.count([`k${i}`]);
    expect(limiter.size).toBe(100);
    now = 5000;
    for (let i = 0; i < 1000; i++) limiter.count(["fresh"]);
    expect(limiter.size).toBe(1);
  });
});

describe("the failed-login audit", () => {
  it("writes the first failure at once and the rest as one row with their count per period", () => {
    const rows: { actor: string; action: string; details?: unknown }[] = [];
    const audit = { record: (entry: (typeof rows)[number]) => rows.push(entry) };
    let now = 0;
    const log = new FailureLog(audit as unknown as AuditRepository, 60_000, () => now, 10);
    for (let i = 0; i < 1000; i++) log.record("admin", "login_failed", "10.0.0.9", null);
    expect(rows).toHaveLength(1);
    now = 60_000;
    log.record("admin", "login_failed", "10.0.0.9", null);
    expect(rows.map((r) => r.details)).toEqual([null, { count: 1000 }]);
    log.record("admin", "login_failed", "10.0.0.9", { via: "mqtt" });
    log.record("admin", "login_failed", "10.0.0.9", { via: "mqtt" });
    log.stop();
    expect(rows.map((r) => r.details)).toEqual([
      null,
      { count: 1000 },
      { via: "mqtt" },
      { via: "mqtt" },
    ]);
  });

  it("keeps at most maxKeys addresses, writing out a key's count before forgetting it", () => {
    const rows: { address: string; details?: unknown }[] = [];
    const audit = { record: (entry: (typeof rows)[number]) => rows.push(entry) };
    const log = new FailureLog(audit as unknown as AuditRepository, 60_000, () => 0, 2);
    log.record("admin", "login_failed", "a", null);
    log.record("admin", "login_failed", "a", null);
    log.record("admin", "login_failed", "b", null);
    log.record("admin", "login_failed", "c", null);
    expect(rows.map((r) => [r.address, r.details])).toEqual([
      ["a", null],
      ["b", null],
      ["c", null],
      ["a", null],
    ]);
  });
});
