import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  VirtualDahuaTerminal,
  VirtualHikvisionTerminal,
} from "../../firmware-sim/terminals/virtual-terminal.js";
import { eventually } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  PROJECT_ROOT,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/**
 * The simulator's terminals against a real gateway process: the Hikvision one misses events
 * while "offline" and the gateway fetches them back from its event search (Digest); the Dahua one
 * uploads what it stored offline.
 */
const run = promisify(execFile);
let dir: string;
let gateway: GatewayProcess;
const hik = new VirtualHikvisionTerminal({
  id: "hik-1",
  password: "hik-terminal-pass",
  gatewayUrl: "",
  isapiUsername: "admin",
  isapiPassword: "isapi-pass-1",
});
const dahua = new VirtualDahuaTerminal({
  id: "dahua-1",
  password: "dahua-terminal-pass",
  gatewayUrl: "",
});

const readings = (device: string) => {
  const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
  try {
    return db
      .prepare(
        "SELECT substr(msg_id, 1, instr(msg_id, '@') - 1) AS sn, count(*) AS n FROM readings WHERE device_id = ? GROUP BY sn ORDER BY min(seq)",
      )
      .all(device) as { sn: string; n: number }[];
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-terminal-sim-"));
  const isapi = await hik.start();
  gateway = await spawnGateway(
    dir,
    processConfig(dir, "gw-sim", {
      checkpoints: [
        { id: "gate-1", name: "North gate / 北门", mode: "temperature_only" },
        { id: "gate-2", name: "South gate / 南门", mode: "pass_and_temperature" },
      ],
      devices: [
        {
          id: "hik-1",
          checkpoint: "gate-1",
          transport: "http",
          protocol: "hikvision-isapi",
          password: "hik-terminal-pass",
          isapi_url: isapi,
          isapi_username: "admin",
          isapi_password: "isapi-pass-1",
        },
        {
          id: "dahua-1",
          checkpoint: "gate-2",
          transport: "http",
          protocol: "dahua-http",
          password: "dahua-terminal-pass",
        },
      ],
    }),
  );
  hik.options.gatewayUrl = `http://127.0.0.1:${gateway.httpPort}`;
  dahua.options.gatewayUrl = `http://127.0.0.1:${gateway.httpPort}`;
});
afterAll(async () => {
  await stopProcess(gateway.child);
  await hik.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the simulator's terminals", () => {
  it("a Hikvision terminal's missed events are fetched back from its event search, each once", async () => {
    for (const tempC of [36.4, 36.6]) expect((await hik.person({ tempC })).status).toBe(200);
    hik.online = false;
    for (const tempC of [36.5, 38.3, 36.7]) expect((await hik.person({ tempC })).status).toBeNull();
    hik.online = true;
    expect((await hik.person({ tempC: 36.8 })).status).toBe(200);
    const all = ["sn:1", "sn:2", "sn:3", "sn:4", "sn:5", "sn:6"];
    await eventually(() => (readings("hik-1").length === 6 ? true : undefined), 10_000);
    expect(
      readings("hik-1")
        .map((r) => [r.sn, r.n])
        .sort(),
    ).toEqual(all.map((id) => [id, 1]));
    expect(hik.searches).toBe(1);
    // Said once the last fetched event is committed: the rows can be read a moment before.
    await eventually(() =>
      gateway
        .output()
        .includes("terminal hik-1: fetched 3 missed event(s) (serial 3-5) from its event search")
        ? true
        : undefined,
    );
    // The fetched fever raised its alert like any other.
    const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM alerts WHERE kind = 'fever'").pluck().get()).toBe(1);
    db.close();
    // The next event in order asks nothing.
    expect((await hik.person({ tempC: 36.5 })).status).toBe(200);
    expect(hik.searches).toBe(1);
  });

  it("works on after the terminal reboots", async () => {
    await hik.reboot();
    hik.online = false;
    await hik.person({ tempC: 36.6 });
    hik.online = true;
    expect((await hik.person({ tempC: 36.6 })).status).toBe(200);
    await eventually(() => (readings("hik-1").length === 9 ? true : undefined), 10_000);
    expect(hik.searches).toBe(2);
  });

  it("a Dahua terminal uploads what it stored while it could not reach the gateway", async () => {
    expect((await dahua.person({ tempC: 36.6, cardNo: "0012345678" })).status).toBe(200);
    dahua.online = false;
    await dahua.person({ tempC: 36.5, personId: "15" });
    await dahua.person({ tempC: 38.9, cardNo: "0087654321" });
    dahua.online = true;
    expect((await dahua.person({ tempC: 36.7, cardNo: "0012345678" })).status).toBe(200);
    expect(readings("dahua-1").map((r) => [r.sn, r.n])).toEqual([
      ["sn:1", 1],
      ["sn:2", 1],
      ["sn:3", 1],
      ["sn:4", 1],
    ]);
    // Each with its own card or face as one passage at a pass-and-temperature gate.
    const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
    expect(
      db
        .prepare(
          "SELECT count(*) FROM passages WHERE checkpoint_id = 'gate-2' AND reading_id IS NOT NULL AND scan_id IS NOT NULL",
        )
        .pluck()
        .get(),
    ).toBe(4);
    db.close();
  });

  it("plays a scenario through a terminal from the simulator's command line: card and forehead in one event", async () => {
    const count = (sql: string) => {
      const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
      try {
        return db.prepare(sql).pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const before = count("SELECT count(*) FROM readings WHERE device_id = 'hik-1'");
    const sim = await run(process.execPath, [
      join(PROJECT_ROOT, "dist/firmware-sim/main.js"),
      "--terminal",
      "hikvision",
      "--config",
      join(dir, "checkpoint.yaml"),
      "--api",
      `http://127.0.0.1:${gateway.httpPort}`,
      "--scenario",
      "rush",
      "--count",
      "6",
      "--speed",
      "50",
      "--seed",
      "3",
    ]);
    expect(sim.stdout).toContain("hikvision terminal hik-1 ->");
    expect(sim.stdout).toMatch(/progress: \d+ sent, \d+ with fever, 0 failed/);
    // Its counter starts at 1 again (a new terminal, or a reset one): nothing is taken for a repeat.
    expect(count("SELECT count(*) FROM readings WHERE device_id = 'hik-1'")).toBe(before + 6);
    // Rush: nine in ten show a card, read in the same event as their forehead.
    expect(
      count(
        "SELECT count(*) FROM scans s JOIN readings r ON r.device_id = s.device_id AND r.msg_id = s.msg_id WHERE s.device_id = 'hik-1'",
      ),
    ).toBeGreaterThanOrEqual(4);
  });
});
