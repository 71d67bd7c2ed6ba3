import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dahuaUpload } from "../../gateway/devices/dahua-http/encode.js";
import {
  hikvisionHeartbeat,
  hikvisionMultipart,
  hikvisionNotification,
} from "../../gateway/devices/hikvision-isapi/encode.js";
import { digestPostJson } from "../../gateway/terminals/digest.js";
import { capture } from "../helpers/captures.js";
import { eventually, startGateway } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/** Network terminals (docs/contract.md#network-terminals-over-http) against a real gateway process, posting as the terminals do. */
const HIK_PASSWORD = "hik-terminal-pass";
const DAHUA_PASSWORD = "dahua-terminal-pass";
const site = (extra: object = {}) => ({
  checkpoints: [
    { id: "gate-1", name: "North gate / 北门", mode: "pass_and_temperature" },
    { id: "gate-2", name: "South gate / 南门", mode: "temperature_only" },
  ],
  devices: [
    {
      id: "hik-1",
      checkpoint: "gate-1",
      transport: "http",
      protocol: "hikvision-isapi",
      password: HIK_PASSWORD,
      offline_after_s: 1,
      ...extra,
    },
    {
      id: "dahua-1",
      checkpoint: "gate-2",
      transport: "http",
      protocol: "dahua-http",
      password: DAHUA_PASSWORD,
    },
  ],
});

function post(
  gateway: GatewayProcess,
  path: string,
  body: string | Buffer,
  contentType: string,
  user: string,
  password: string,
) {
  return fetch(`http://127.0.0.1:${gateway.httpPort}${path}`, {
    method: "POST",
    headers: {
      "content-type": contentType,
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    },
    body,
  });
}
const hik = (gateway: GatewayProcess, body: string | Buffer, type = "application/json") =>
  post(gateway, "/ingest/hikvision/hik-1", body, type, "hik-1", HIK_PASSWORD);
/** A POST written in pieces of 1 to 97 bytes, each in its own write (as a slow link delivers). */
function postInChunks(
  gateway: GatewayProcess,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: gateway.httpPort, path, method: "POST", headers },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    let offset = 0;
    let n = 0;
    const next = () => {
      if (offset >= body.length) {
        req.end();
        return;
      }
      const size = 1 + ((n++ * 37) % 97);
      req.write(body.subarray(offset, offset + size));
      offset += size;
      setImmediate(next);
    };
    next();
  });
}
const at = (second: number) => new Date(Date.now() - 60_000 + second * 1000).toISOString();

describe("Hikvision and Dahua terminals posting to a gateway process", () => {
  let dir: string;
  let gateway: GatewayProcess;
  const db = () => new Database(join(dir, "checkpoint.db"), { readonly: true });
  const rows = (sql: string) => {
    const handle = db();
    try {
      return handle.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      handle.close();
    }
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-terminals-"));
    gateway = await spawnGateway(dir, processConfig(dir, "gw-term", site()));
  });
  afterAll(async () => {
    await stopProcess(gateway.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes a card and a temperature as one passage, answered after the commit; a repeat once", async () => {
    const event = hikvisionNotification({
      serialNo: 101,
      dateTime: at(1),
      tempC: 36.6,
      cardNo: "0012345678",
      mask: "yes",
    });
    const first = await hik(gateway, event);
    expect(first.status).toBe(200);
    expect(rows("SELECT msg_id, temp_c, terminal_verdict FROM readings")).toEqual([
      {
        msg_id: `sn:101@${Date.parse(JSON.parse(event).dateTime)}`,
        temp_c: 36.6,
        terminal_verdict: '{"over_temperature":false,"mask":"yes"}',
      },
    ]);
    const passages = rows("SELECT reading_id, scan_id, pass_id, reasons FROM passages");
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({ pass_id: "0012345678", reasons: "unknown_pass" });
    expect(passages[0]?.reading_id).not.toBeNull();
    expect(passages[0]?.scan_id).not.toBeNull();
    // The terminal did not hear the 200 and sends the same event again.
    expect((await hik(gateway, event)).status).toBe(200);
    expect(rows("SELECT count(*) AS n FROM readings")).toEqual([{ n: 1 }]);
    expect(rows("SELECT count(*) AS n FROM passages")).toEqual([{ n: 1 }]);
  });

  it("reads a multipart notification with pictures, drops them, and drops an oversized one with a line", async () => {
    const json = hikvisionNotification({
      serialNo: 102,
      dateTime: at(2),
      tempC: 38.4,
      employeeNoString: "E7",
    });
    const { body, contentType } = hikvisionMultipart(json, [
      Buffer.alloc(60 * 1024, 0xff),
      Buffer.alloc(1536 * 1024, 0xff),
    ]);
    const response = await hik(gateway, body, contentType);
    expect(response.status).toBe(200);
    expect(rows("SELECT status FROM readings WHERE msg_id LIKE 'sn:102@%'")).toEqual([
      { status: "fever" },
    ]);
    expect(rows("SELECT method, pass_id FROM scans WHERE msg_id LIKE 'sn:102@%'")).toEqual([
      { method: "face", pass_id: "E7" },
    ]);
    expect(rows("SELECT kind FROM alerts WHERE kind = 'fever'")).toHaveLength(1);
    await eventually(() =>
      gateway.output().includes("terminal hik-1: a picture over 1 MB, dropped") ? true : undefined,
    );
  });

  // A DS-K1T323 in production declares `boundary=mime_boundary` and writes `--MIME_boundary`,
  // with a Content-Length that does not match and a stray other boundary after the JSON (busboy
  // answered "Unexpected end of form"). The JSON is the DS-K1T342MWX capture's serialNo 10 part,
  // verbatim and tab-indented (test/fixtures/terminals/), with the fields a thermometry terminal
  // adds, as that one sends them (a string boolean, six decimals) and a time of now.
  describe.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const)("a real terminal's multipart push with %s, in odd chunks", (name, end) => {
    it("is read, stored and answered 200", async () => {
      const serial = name === "LF" ? 1010 : 1011;
      const part = capture("terminals/hik-alertstream-ds-k1t342mwx-multipart.txt", end)
        .split(`--MIME_boundary${end}`)
        .find((p) => p.includes('"serialNo":\t10,')) as string;
      const json = part
        .slice(part.indexOf("{"), part.lastIndexOf("}") + 1)
        .replace(/"dateTime":\t"[^"]+"/, `"dateTime":\t"${at(5)}"`)
        .replace(
          '"serialNo":\t10,',
          `"serialNo":\t${serial},${end}\t\t"currTemperature":\t36.600000,${end}\t\t"isAbnomalTemperature":\t"false",${end}\t\t"employeeNoString":\t"E10",`,
        );
      const body = Buffer.from(
        [
          "--MIME_boundary",
          'Content-Disposition: form-data; name="event_log"',
          "Content-Type: application/json",
          "Content-Length: 652",
          "",
          json,
          "--other_boundary",
          "--MIME_boundary--",
          "",
        ].join(end),
      );
      const answer = await postInChunks(gateway, "/ingest/hikvision/hik-1", body, {
        "content-type": "multipart/form-data; boundary=mime_boundary",
        authorization: `Basic ${Buffer.from(`hik-1:${HIK_PASSWORD}`).toString("base64")}`,
      });
      expect(answer).toMatchObject({ status: 200 });
      expect(
        rows(`SELECT temp_c, status FROM readings WHERE msg_id LIKE 'sn:${serial}@%'`),
      ).toEqual([{ temp_c: 36.6, status: "normal" }]);
    });
  });

  it("refuses wrong credentials, another terminal's path, garbage and an oversized body", async () => {
    const event = hikvisionNotification({ serialNo: 103, dateTime: at(3), tempC: 36.5 });
    const wrong = await post(
      gateway,
      "/ingest/hikvision/hik-1",
      event,
      "application/json",
      "hik-1",
      "guess-guess",
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(
      (await post(gateway, "/ingest/dahua/hik-1", event, "application/json", "hik-1", HIK_PASSWORD))
        .status,
    ).toBe(404);
    expect((await hik(gateway, "\u0000garbage")).status).toBe(400);
    expect((await hik(gateway, "x".repeat(200 * 1024))).status).toBe(413);
    expect(rows("SELECT count(*) AS n FROM readings WHERE msg_id LIKE 'sn:103@%'")).toEqual([
      { n: 0 },
    ]);
    // And it still takes the next good one.
    expect((await hik(gateway, event)).status).toBe(200);
  });

  it("takes Digest from a terminal that only does Digest, and refuses a wrong one", async () => {
    const url = `http://127.0.0.1:${gateway.httpPort}/ingest/hikvision/hik-1`;
    const event = hikvisionNotification({ serialNo: 104, dateTime: at(4), tempC: 36.6 });
    const ok = await digestPostJson(url, JSON.parse(event), "hik-1", HIK_PASSWORD);
    expect(ok.status).toBe(200);
    expect(rows("SELECT count(*) AS n FROM readings WHERE msg_id LIKE 'sn:104@%'")).toEqual([
      { n: 1 },
    ]);
    const wrong = await digestPostJson(url, JSON.parse(event), "hik-1", "not-the-password");
    expect(wrong.status).toBe(401);
  });

  it("takes a Dahua upload of live and offline-stored events, °F converted", async () => {
    const upload = dahuaUpload([
      { sn: 1, utcSeconds: Math.floor(Date.now() / 1000) - 30, tempC: 36.4 },
      {
        sn: 2,
        utcSeconds: Math.floor(Date.now() / 1000) - 20,
        tempC: 38.0,
        fahrenheit: true,
        offline: true,
      },
    ]);
    const response = await post(
      gateway,
      "/ingest/dahua/dahua-1",
      upload,
      "application/json",
      "dahua-1",
      DAHUA_PASSWORD,
    );
    expect(response.status).toBe(200);
    expect(
      rows(
        "SELECT substr(msg_id, 1, 4) AS sn, temp_c, status FROM readings WHERE device_id = 'dahua-1' ORDER BY msg_id",
      ),
    ).toEqual([
      { sn: "sn:1", temp_c: 36.4, status: "normal" },
      { sn: "sn:2", temp_c: 38, status: "fever" },
    ]);
    // At a temperature-only gate each reading is its passage.
    expect(rows("SELECT count(*) AS n FROM passages WHERE checkpoint_id = 'gate-2'")).toEqual([
      { n: 2 },
    ]);
  });

  it("is online while it posts, offline after its silence, and online again with its next heartbeat", async () => {
    const health = async () =>
      (
        (await (await fetch(`http://127.0.0.1:${gateway.httpPort}/api/health`)).json()) as {
          devices: { id: string; online: boolean }[];
        }
      ).devices.find((d) => d.id === "hik-1")?.online;
    await eventually(async () => ((await health()) === false ? true : undefined), 5000);
    // Health turns as the silence is noticed; the status change is committed just after it.
    const latest = () =>
      rows(
        "SELECT online, reason FROM device_status WHERE device_id = 'hik-1' ORDER BY seq DESC LIMIT 1",
      ) as { online: number; reason: string }[];
    const stored = await eventually(async () => (latest()[0]?.online === 0 ? latest() : undefined));
    expect(stored).toEqual([{ online: 0, reason: "silent for 1 s" }]);
    expect((await hik(gateway, hikvisionHeartbeat(at(10)))).status).toBe(200);
    await eventually(async () => ((await health()) === true ? true : undefined));
  });
});

describe.skipIf(process.getuid?.() !== 0)(
  "a terminal and a failing disk (root: a tmpfs of its own)",
  () => {
    let dir: string;
    let disk: string | undefined;
    let gateway: GatewayProcess | undefined;
    afterEach(async () => {
      if (gateway) await stopProcess(gateway.child, "SIGKILL");
      if (disk) execFileSync("umount", [disk]);
      rmSync(dir, { recursive: true, force: true });
    });

    it("answers 503 while the commit fails, and stores the event once when the terminal sends it again", async () => {
      dir = mkdtempSync(join(tmpdir(), "cg-terminal-disk-"));
      disk = join(dir, "disk");
      mkdirSync(disk);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk]);
      gateway = await spawnGateway(
        dir,
        processConfig(dir, "gw-term", site(), { database: { path: join(disk, "checkpoint.db") } }),
      );
      const filler = join(disk, "filler");
      for (let size = 2 * 1024 * 1024; size > 4096; ) {
        try {
          writeFileSync(filler, Buffer.alloc(size), { flag: "a" });
        } catch {
          size = Math.floor(size / 2);
        }
      }
      const event = hikvisionNotification({
        serialNo: 7,
        dateTime: at(7),
        tempC: 36.6,
        cardNo: "0012345678",
      });
      const refused = await hik(gateway, event);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      rmSync(filler);
      expect((await hik(gateway, event)).status).toBe(200);
      expect((await hik(gateway, event)).status).toBe(200);
      const handle = new Database(join(disk, "checkpoint.db"), { readonly: true });
      expect(
        handle.prepare("SELECT count(*) FROM readings WHERE msg_id LIKE 'sn:7@%'").pluck().get(),
      ).toBe(1);
      handle.close();
    });
  },
);

describe("a terminal whose pictures are kept", () => {
  it("writes each picture beside the database, byte for byte", async () => {
    const gw = await startGateway({
      checkpoints: [{ id: "gate-1", name: "Lobby", mode: "temperature_only" }],
      devices: [
        {
          id: "hik-1",
          checkpoint: "gate-1",
          transport: "http",
          protocol: "hikvision-isapi",
          password: HIK_PASSWORD,
          keep_pictures: true,
        },
      ],
    });
    try {
      const picture = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
      const json = hikvisionNotification({ serialNo: 1, dateTime: at(1), tempC: 36.5 });
      const { body, contentType } = hikvisionMultipart(json, [picture]);
      const response = await fetch(`${gw.httpUrl}/ingest/hikvision/hik-1`, {
        method: "POST",
        headers: {
          "content-type": contentType,
          authorization: `Basic ${Buffer.from(`hik-1:${HIK_PASSWORD}`).toString("base64")}`,
        },
        body,
      });
      expect(response.status).toBe(200);
      const folder = join(gw.dir, "pictures", "hik-1");
      const files = readdirSync(folder);
      expect(files).toHaveLength(1);
      expect(readFileSync(join(folder, files[0] as string)).equals(picture)).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
