import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPassage } from "../helpers/fixtures.js";
import { login, type RunningGateway, startGateway } from "../helpers/gateway.js";

let gw: RunningGateway;
let admin: Record<string, string>;
const ROWS = 2500;

beforeAll(async () => {
  gw = await startGateway();
  admin = { authorization: `Bearer ${await login(gw.httpUrl)}` };
  const store = gw.gateway.store;
  store.writeBatch(() => {
    for (let i = 0; i < ROWS; i++) {
      const fever = i % 10 === 0;
      store.passages.insert(
        newPassage({
          ts_ms: Date.parse("2026-11-22T16:30:05Z") + i,
          checkpoint_id: i % 2 ? "gate-1" : "gate-2",
          pass_id: `P${i}`,
          holder_name: i === 0 ? "=cmd|' /C calc'!A0" : "王小明",
          temp_c: fever ? 38.2 : 36.5,
          decision: fever ? "deny" : "allow",
          reasons: fever ? ["fever"] : [],
        }),
      );
    }
    // thermo-9 at gate-1: offline from 00:10 to 00:20 local time on 2026-11-23.
    for (const [ts, online] of [
      ["2026-11-22T12:00:00Z", true],
      ["2026-11-22T16:10:00Z", false],
      ["2026-11-22T16:20:00Z", true],
    ] as const)
      store.deviceStatus.insert({
        device_id: "thermo-9",
        checkpoint_id: "gate-1",
        online,
        reason: online ? null : "port closed",
        ts_ms: Date.parse(ts),
      });
  });
});
afterAll(async () => {
  await gw.close();
});

const get = (path: string, headers = admin) => fetch(`${gw.httpUrl}${path}`, { headers });

describe("CSV export", () => {
  it("streams every row with a BOM, neutralised formulas, Chinese intact and local times", async () => {
    const response = await get("/api/export/passages.csv");
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="passages-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    // Chinese column names with the English key after; values in Chinese; the id kept too.
    expect(lines[0]).toBe(
      "编号 id,时间 time,检查点 checkpoint,出入证号 pass_id,姓名 holder_name,体温 temp_c,结果 decision,原因 reasons,检查点编号 checkpoint_id",
    );
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines.at(-1)).toBe(
      `gw-test:1,2026-11-23 00:30:05,南门 South gate,P0,'=cmd|' /C calc'!A0,38.2,拒绝,体温异常,gate-2`,
    );
    expect(lines[1]).toContain("王小明");
  });

  it("takes the log's filters and audits every export with its row count", async () => {
    const text = await (
      await get("/api/export/passages.csv?decision=deny&checkpoint=gate-2")
    ).text();
    expect(text.trimEnd().split("\r\n")).toHaveLength(ROWS / 10 + 1);
    const audit = (await (await get("/api/audit?action=export")).json()) as {
      items: { target: string; details: { rows: number; filters: Record<string, string> } }[];
    };
    expect(audit.items[0]).toMatchObject({
      target: "passages.csv",
      details: { rows: 250, filters: { decision: "deny", checkpoint: "gate-2" } },
    });
  });

  it("exports readings and alerts too, and refuses anything else", async () => {
    expect((await get("/api/export/readings.csv")).status).toBe(200);
    expect((await get("/api/export/alerts.csv")).status).toBe(200);
    expect((await get("/api/export/users.csv")).status).toBe(404);
    expect((await get("/api/export/passages.csv?status=hot")).status).toBe(400);
  });

  it("is for admins only", async () => {
    await gw.gateway.store.accounts.create("guard7", "guard-pass-7", "guard", Date.now());
    const guard = { authorization: `Bearer ${await login(gw.httpUrl, "guard7", "guard-pass-7")}` };
    expect((await get("/api/export/passages.csv", guard)).status).toBe(403);
    expect((await get("/api/passages?limit=5", guard)).status).toBe(200);
  });

  it("pages passages newest first under /api/passages", async () => {
    const page = (await (await get("/api/passages?limit=3&decision=deny")).json()) as {
      items: { seq: number; decision: string }[];
      next_cursor: string;
    };
    expect(page.items.map((p) => p.decision)).toEqual(["deny", "deny", "deny"]);
    expect(page.items[0]?.seq).toBeGreaterThan(page.items[1]?.seq ?? 0);
    expect(page.next_cursor).not.toBeNull();
  });

  it("filters passages by one reason, in the list and the export alike, walking each once", async () => {
    const seen: string[] = [];
    let cursor = "";
    do {
      const page = (await (
        await get(`/api/passages?reason=fever&checkpoint=gate-2&limit=40${cursor}`)
      ).json()) as { items: { id: string; reasons: string[] }[]; next_cursor: string | null };
      expect(page.items.every((p) => p.reasons.includes("fever"))).toBe(true);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.next_cursor === null ? "" : `&cursor=${page.next_cursor}`;
    } while (cursor !== "");
    expect(seen).toHaveLength(ROWS / 10);
    expect(new Set(seen).size).toBe(ROWS / 10);
    const none = (await (await get("/api/passages?reason=fever&checkpoint=gate-1")).json()) as {
      items: unknown[];
    };
    expect(none.items).toHaveLength(0);
    // "low" is not a substring match of another reason's name, and a made-up reason is refused.
    expect(((await (await get("/api/passages?reason=low")).json()) as { items: [] }).items).toEqual(
      [],
    );
    expect((await get("/api/passages?reason=hot")).status).toBe(400);
    const csv = await (await get("/api/export/passages.csv?reason=fever")).text();
    expect(csv.trimEnd().split("\r\n")).toHaveLength(ROWS / 10 + 1);
  });
});

describe("the daily summary", () => {
  it("counts a local day's passages per checkpoint, denied by reason", async () => {
    const response = await get("/api/summary/daily?date=2026-11-23");
    const summary = (await response.json()) as {
      date: string;
      timezone: string;
      checkpoints: Record<string, unknown>[];
    };
    expect(summary, JSON.stringify(summary)).toHaveProperty("date", "2026-11-23");
    expect(summary.timezone).toBe("Asia/Shanghai");
    expect(summary.checkpoints).toMatchObject([
      {
        checkpoint_id: "gate-1",
        name: "North gate / 北门",
        passages: 1250,
        allowed: 1250,
        denied: 0,
        denied_by_reason: {},
        fevers: 0,
        lows: 0,
        devices: [{ device_id: "thermo-9", downtime_s: 600, outages: 1 }],
      },
      {
        checkpoint_id: "gate-2",
        name: "South gate / 南门",
        passages: 1250,
        allowed: 1000,
        denied: 250,
        denied_by_reason: { fever: 250 },
        fevers: 0,
        lows: 0,
        devices: [],
      },
    ]);
    // All of them between 00:30:05 and 00:30:08 local time: hour 0.
    const hours = summary.checkpoints[1]?.hours as { hour: number; passages: number }[];
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({
      hour: 0,
      passages: 1250,
      allowed: 1000,
      denied: 250,
      fevers: 0,
      lows: 0,
    });
    expect(hours.slice(1).every((h) => h.passages === 0)).toBe(true);
    const dayBefore = (await (await get("/api/summary/daily?date=2026-11-22")).json()) as {
      checkpoints: { passages: number }[];
    };
    expect(dayBefore.checkpoints.map((c) => c.passages)).toEqual([0, 0]);
    expect((await get("/api/summary/daily?date=22.11.2026")).status).toBe(400);
  });
});
