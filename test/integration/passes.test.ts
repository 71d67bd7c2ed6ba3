import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import {
  DEVICE_PASSWORD,
  eventually,
  login,
  type RunningGateway,
  startGateway,
  testConfig,
} from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";

let gw: RunningGateway;
let admin: Record<string, string>;
let guard: Record<string, string>;
let thermo: MqttClient;
let reader: MqttClient;

beforeAll(async () => {
  gw = await startGateway({
    pairing_window_s: 1,
    checkpoints: [
      {
        id: "gate-out",
        name: "East gate / 东门",
        direction: "out",
        mode: "pass_and_temperature",
        enforcement: "hard",
      },
    ],
    devices: [
      { id: "thermo-1", kind: "thermometer", checkpoint: "gate-out", password: DEVICE_PASSWORD },
      { id: "reader-1", kind: "pass_reader", checkpoint: "gate-out", password: DEVICE_PASSWORD },
    ],
  });
  await gw.gateway.store.accounts.create("guard1", "guard-pass-1", "guard", Date.now());
  admin = {
    authorization: `Bearer ${await login(gw.httpUrl)}`,
    "content-type": "application/json",
  };
  guard = {
    authorization: `Bearer ${await login(gw.httpUrl, "guard1", "guard-pass-1")}`,
    "content-type": "application/json",
  };
  thermo = await connectDevice(gw.mqttUrl, "thermo-1");
  reader = await connectDevice(gw.mqttUrl, "reader-1");
});
afterAll(async () => {
  await thermo.endAsync(true);
  await reader.endAsync(true);
  await gw.close();
});

const api = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  fetch(`${gw.httpUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe("the pass registry", () => {
  it("lets an admin add, read, search, change and remove passes", async () => {
    const created = await api("POST", "/api/passes", admin, {
      pass_id: "0012345678",
      holder_name: "王小明",
      unit: "3-2-401",
      valid_until: later(365),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      pass_id: "0012345678",
      holder_name: "王小明",
      unit: "3-2-401",
      status: "active",
      observation_until: null,
    });
    expect(
      (await api("POST", "/api/passes", admin, { pass_id: "0012345678", holder_name: "Again" }))
        .status,
    ).toBe(409);
    await api("POST", "/api/passes", admin, {
      pass_id: "0087654321",
      holder_name: "李华",
      unit: "5-1-101",
    });
    const found = (await (await api("GET", "/api/passes?q=5-1", admin)).json()) as {
      items: { pass_id: string }[];
    };
    expect(found.items.map((p) => p.pass_id)).toEqual(["0087654321"]);
    const revoked = await api("PATCH", "/api/passes/0087654321", admin, { status: "revoked" });
    expect(await revoked.json()).toMatchObject({ status: "revoked", holder_name: "李华" });
    expect((await api("DELETE", "/api/passes/0087654321", admin)).status).toBe(204);
    expect((await api("GET", "/api/passes/0087654321", admin)).status).toBe(404);
  });

  it("answers bad input with 400 naming the field", async () => {
    const response = await api("POST", "/api/passes", admin, {
      pass_id: "",
      holder_name: "x",
      status: "lost",
      valid_until: "tomorrow",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: string };
    expect(error).toContain("body.pass_id");
    expect(error).toContain("body.status");
    expect(error).toContain("body.valid_until: must be an ISO 8601 date-time");
  });

  it("is for admins only", async () => {
    expect((await api("GET", "/api/passes", guard)).status).toBe(403);
    expect(
      (await api("POST", "/api/passes", guard, { pass_id: "1", holder_name: "x" })).status,
    ).toBe(403);
    expect((await api("GET", "/api/passes", {})).status).toBe(401);
  });
});

describe("passages at a pass_and_temperature exit", () => {
  const scan = (passId: string) =>
    publishQos1(reader, deviceTopic("reader-1", "scan"), { pass_id: passId, method: "card" });
  const temperature = (tempC: number) =>
    publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: tempC });

  it("pairs a card and a temperature into one decided passage, shown masked on the kiosk", async () => {
    await api("POST", "/api/passes", admin, {
      pass_id: "1000000001",
      holder_name: "张伟",
      unit: "1-1-101",
      valid_until: later(30),
    });
    await api("POST", "/api/passes", admin, {
      pass_id: "1000000002",
      holder_name: "刘洋",
      status: "revoked",
    });
    await api("POST", "/api/passes", admin, {
      pass_id: "1000000003",
      holder_name: "陈静",
      observation_until: later(14),
    });
    const kiosk = await LiveClient.connect(`${gw.wsUrl}/live?checkpoint=gate-out`);
    const cases: [string | null, number | null, string, string[]][] = [
      ["1000000001", 36.6, "allow", []],
      ["1000000001", 38.3, "deny", ["fever"]],
      ["1000000002", 36.6, "deny", ["revoked_pass"]],
      ["9999999999", 36.6, "deny", ["unknown_pass"]],
      ["1000000003", 36.6, "deny", ["observation"]],
      ["1000000001", null, "deny", ["no_temperature"]],
      [null, 36.7, "deny", ["no_pass"]],
    ];
    for (const [passId, tempC, decision, reasons] of cases) {
      const before = kiosk.ofType("passage").length;
      if (passId !== null) await scan(passId);
      if (tempC !== null) await temperature(tempC);
      const passage = await kiosk.waitFor(
        (m) => m.type === "passage" && kiosk.ofType("passage").indexOf(m) === before,
        5000,
      );
      expect({
        pass: passId,
        temp: tempC,
        decision: passage.data.decision,
        reasons: passage.data.reasons,
      }).toEqual({ pass: passId, temp: tempC, decision, reasons });
      if (passId === "1000000001")
        expect(passage.data).toMatchObject({ pass_id: "10****0001", holder_name: "张*" });
    }
    await kiosk.close();
  });
});

describe("the door output", () => {
  it("tells the checkpoint's door controller to open on an allowed passage, and only then", async () => {
    const doorGw = await startGateway({
      checkpoints: [
        { id: "gate-d", name: "Door gate", mode: "pass_only", direction: "in", door: "door-1" },
      ],
      devices: [
        { id: "reader-d", kind: "pass_reader", checkpoint: "gate-d", password: DEVICE_PASSWORD },
        { id: "door-1", kind: "door", checkpoint: "gate-d", password: DEVICE_PASSWORD },
      ],
    });
    doorGw.gateway.store.passes.create(
      {
        pass_id: "4000000001",
        holder_name: "赵敏",
        unit: "",
        status: "active",
        valid_until_ms: null,
        observation_until_ms: null,
      },
      Date.now(),
    );
    const door = await connectDevice(doorGw.mqttUrl, "door-1");
    const commands: { action: string; passage_id: string }[] = [];
    door.on("message", (_topic, payload) => commands.push(JSON.parse(payload.toString())));
    await door.subscribeAsync(deviceTopic("door-1", "command"), { qos: 1 });
    const readerD = await connectDevice(doorGw.mqttUrl, "reader-d");
    await publishQos1(readerD, deviceTopic("reader-d", "scan"), {
      pass_id: "4000000002",
      method: "card",
    });
    await publishQos1(readerD, deviceTopic("reader-d", "scan"), {
      pass_id: "4000000001",
      method: "card",
    });
    // The marker: the allowed card once more. Commands reach the door in order on its one
    // connection, so once the marker's command is in, any command for the refused card is too.
    await publishQos1(readerD, deviceTopic("reader-d", "scan"), {
      pass_id: "4000000001",
      method: "card",
    });
    const passages = () =>
      doorGw.gateway.store.passages.page({ checkpoint: "gate-d", limit: 10 }).items;
    const marker = await eventually(() => {
      const newest = passages().find((p) => p.pass_id === "4000000001");
      return newest && commands.some((c) => c.passage_id === newest.id) ? newest : undefined;
    });
    const allowed = passages()
      .filter((p) => p.decision === "allow")
      .map((p) => p.id);
    expect(passages()).toHaveLength(3);
    expect(allowed).toHaveLength(2);
    expect(allowed).toContain(marker.id);
    expect(commands.map((c) => c.passage_id).sort()).toEqual([...allowed].sort());
    expect(commands.every((c) => c.action === "open")).toBe(true);
    await readerD.endAsync(true);
    await door.endAsync(true);
    await doorGw.close();
  });

  it("refuses a door that is not a door device", () => {
    expect(() =>
      testConfig({
        checkpoints: [{ id: "gate-d", name: "Door gate", door: "reader-d" }],
        devices: [
          { id: "reader-d", kind: "pass_reader", checkpoint: "gate-d", password: DEVICE_PASSWORD },
        ],
      }),
    ).toThrow("checkpoints.0.door: no MQTT device of kind door with id 'reader-d'");
  });
});

describe("importing passes from the property office's spreadsheet", () => {
  const importCsv = (csv: string) =>
    fetch(`${gw.httpUrl}/api/passes/import`, {
      method: "POST",
      headers: { ...admin, "content-type": "text/csv" },
      body: csv,
    });

  it("puts good rows in and reports bad rows by line, the header being line 1", async () => {
    const csv =
      "\uFEFFpass_id,holder_name,unit,status,valid_until,observation_until\r\n" +
      "6000000001,孙丽,7-1-101,active,2027-12-31T23:59:59+08:00,\r\n" +
      "6000000002,,7-1-102,active,,\r\n" +
      '6000000003,"Zhao, Min",7-1-103,revoked,,\r\n' +
      "6000000004,钱进,7-1-104,lost,,\r\n" +
      "6000000001,孙丽,7-1-101,active,,\r\n";
    const response = await importCsv(csv);
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      imported: number;
      errors: { line: number; message: string }[];
    };
    expect(result.imported).toBe(2);
    expect(result.errors.map((e) => e.line)).toEqual([3, 5, 6]);
    // Chinese first, the column's key and English after.
    expect(result.errors[0]?.message).toBe("姓名 holder_name：必填 / holder_name: is required");
    expect(result.errors[1]?.message).toMatch(/^状态 status：看不懂的状态“lost”/);
    expect(result.errors[2]?.message).toBe(
      "出入证号 pass_id：6000000001 在文件中出现两次 / pass_id: 6000000001 appears twice in the file",
    );
    const pass = (await (await api("GET", "/api/passes/6000000003", admin)).json()) as {
      holder_name: string;
      status: string;
    };
    expect(pass).toMatchObject({ holder_name: "Zhao, Min", status: "revoked" });
    expect((await api("GET", "/api/passes/6000000002", admin)).status).toBe(404);
  });

  it("updates passes already in the registry on a new import", async () => {
    const result = (await (
      await importCsv("pass_id,holder_name,status\n6000000003,Zhao Min,active\n")
    ).json()) as { imported: number };
    expect(result.imported).toBe(1);
    expect(await (await api("GET", "/api/passes/6000000003", admin)).json()).toMatchObject({
      holder_name: "Zhao Min",
      status: "active",
    });
  });

  it("reads Excel's GBK file (no charset sent) as GB18030, and says what it read it as", async () => {
    // "pass_id,holder_name\n6000000009,王小明\n" as Excel on a Chinese Windows saves it.
    const gbk = Buffer.concat([
      Buffer.from("pass_id,holder_name\r\n6000000009,"),
      Buffer.from([0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7]),
      Buffer.from("\r\n"),
    ]);
    const send = (body: Buffer, type: string) =>
      fetch(`${gw.httpUrl}/api/passes/import`, {
        method: "POST",
        headers: { ...admin, "content-type": type },
        body,
      });
    const result = (await (await send(gbk, "text/csv")).json()) as {
      imported: number;
      encoding: string;
    };
    expect(result).toMatchObject({ imported: 1, encoding: "gb18030" });
    expect(await (await api("GET", "/api/passes/6000000009", admin)).json()).toMatchObject({
      holder_name: "王小明",
    });
    // Declared wrongly, it is refused rather than stored as replacement characters.
    const wrong = await send(gbk, "text/csv; charset=utf-8");
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe(
      "the file is not valid utf-8 text",
    );
    expect((await send(gbk, "text/csv; charset=gbk")).status).toBe(200);
  });

  it("refuses a file without the required columns, naming line 1", async () => {
    const response = await importCsv("card,name\n1,x\n");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/^第1行表头应为 出入证号 pass_id、姓名 holder_name/);
    expect(error).toContain("不认识 card、name");
    expect(error).toContain("line 1: the header needs");
  });

  it("offers a template with the header row", async () => {
    const response = await api("GET", "/api/passes/import/template.csv", admin);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, example] = bytes.toString("utf8").slice(1).split("\r\n");
    expect(header).toBe(
      "出入证号 pass_id,姓名 holder_name,房号 unit,状态 status,有效期至 valid_until,居家观察至 observation_until",
    );
    expect(example).toBe("0012345678,王小明,3-2-401,有效,2027-12-31,");
    // The template as the office fills it in goes straight back in.
    const result = (await (
      await importCsv(`${header}\r\n6000000020,周杰,8-1-101,有效,2027/12/31,\r\n`)
    ).json()) as {
      imported: number;
    };
    expect(result.imported).toBe(1);
  });

  it("takes dates and status words as an office types them, and says in Chinese first what it cannot read", async () => {
    const rows = [
      ["6000000031", "2027-12-31", "有效", "2027-12-31T23:59:59.999+08:00", "active"],
      ["6000000032", "2027/12/31", "正常", "2027-12-31T23:59:59.999+08:00", "active"],
      ["6000000033", "2027-12-31 18:00", "注销", "2027-12-31T18:00:00+08:00", "revoked"],
      ["6000000034", "2027/12/31 18:00:30", "停用", "2027-12-31T18:00:30+08:00", "revoked"],
      ["6000000035", "2027年12月31日", "active", "2027-12-31T23:59:59.999+08:00", "active"],
      ["6000000036", "2027-12-31T10:00:00Z", "revoked", "2027-12-31T10:00:00Z", "revoked"],
    ];
    const csv = `有效期至,出入证号,姓名,状态\n${rows.map(([id, date, status]) => `${date},${id},测试,${status}`).join("\n")}\n2027-13-01,6000000037,测试,有效\n2027-12-31,6000000038,测试,过期\n`;
    const result = (await (await importCsv(csv)).json()) as {
      imported: number;
      errors: { line: number; message: string }[];
    };
    expect(result.imported).toBe(rows.length);
    for (const [id, , , until, status] of rows) {
      const pass = (await (await api("GET", `/api/passes/${id}`, admin)).json()) as {
        valid_until: string;
        status: string;
      };
      expect(Date.parse(pass.valid_until), id).toBe(Date.parse(until as string));
      expect(pass.status, id).toBe(status);
    }
    expect(result.errors).toEqual([
      {
        line: 8,
        message:
          "有效期至 valid_until：看不懂的日期“2027-13-01”，请写 2027-12-31、2027/12/31 或 2027-12-31 18:00 / valid_until: not a date: write 2027-12-31, 2027/12/31 or 2027-12-31 18:00",
      },
      {
        line: 9,
        message:
          "状态 status：看不懂的状态“过期”，请写 有效/已注销 (active/revoked) / status: write active or revoked",
      },
    ]);
  });
});
