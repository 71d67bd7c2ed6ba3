import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostileIsapi } from "../../firmware-sim/terminals/hostile-isapi.js";
import { hikvisionNotification } from "../../gateway/devices/hikvision-isapi/encode.js";
import { eventually } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";
import { hikvisionDevice, oneGateSite, terminalPost } from "../helpers/terminals.js";

/**
 * What a terminal's event search can do to the gateway (issue reports of an attack run: endless
 * MORE pages, a serialNo jump to 2^31, a 300 MB page, a terminal that never answers during
 * SIGTERM), each against a real gateway process and a hostile ISAPI server.
 */
const hostile = {
  endless: new HostileIsapi("endless"),
  jump: new HostileIsapi("honest"),
  huge: new HostileIsapi("huge"),
  silent: new HostileIsapi("silent"),
  slow: new HostileIsapi("silent"),
};
type Name = keyof typeof hostile;
let dir: string;
let gateway: GatewayProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-gap-attacks-"));
  const devices = [];
  for (const [name, server] of Object.entries(hostile))
    devices.push(
      hikvisionDevice(`hik-${name}`, {
        isapi_url: await server.start(),
        ...(name === "endless" ? { gap_fill_max_events: 60 } : {}),
      }),
    );
  gateway = await spawnGateway(dir, processConfig(dir, "gw-gap", oneGateSite(devices)));
});
afterAll(async () => {
  await stopProcess(gateway.child);
  for (const server of Object.values(hostile)) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(name: Name, serialNo: number, tempC = 36.6): Promise<number> {
  const body = hikvisionNotification({ serialNo, tempC, dateTime: new Date().toISOString() });
  return (await terminalPost(gateway.httpPort, `hik-${name}`, body)).status;
}

const said = (text: string) =>
  eventually(() => (gateway.output().includes(text) ? true : undefined), 30_000);

function count(sql: string, ...params: unknown[]): number {
  const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
  try {
    return db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  } finally {
    db.close();
  }
}
const alerts = (device: string, kind: string) =>
  count("SELECT count(*) FROM alerts WHERE device_id = ? AND kind = ?", device, kind);

describe("a terminal's event search cannot hurt the gateway", () => {
  it("endless MORE pages: the search stops after its page bound, each serial taken once, one terminal_gap alert", async () => {
    expect(await post("endless", 1)).toBe(200);
    // Serials 2-60 missing: 59 events, within gap_fill_max_events (60), so it is searched.
    expect(await post("endless", 61)).toBe(200);
    await said(
      "terminal hik-endless: events missing (serial 2-60) not fetched: its search did not end in 4 pages (30 of 59 taken)",
    );
    // Twice the pages 60 events need; the 30 fevers it repeated on every page stored once each.
    expect(hostile.endless.searches).toBe(4);
    await eventually(() => (alerts("hik-endless", "terminal_gap") === 1 ? true : undefined));
    expect(alerts("hik-endless", "fever")).toBe(30);
    expect(count("SELECT count(*) FROM readings WHERE device_id = 'hik-endless'")).toBe(32);
  });

  it("a serialNo jump to 2^31 is one terminal_gap alert and no search; a later small gap is still filled", async () => {
    const big = 2 ** 31;
    expect(await post("jump", 1)).toBe(200);
    expect(await post("jump", big)).toBe(200);
    await said(
      `terminal hik-jump: events missing (serial 2-${big - 1}) not fetched: more than 1000 events`,
    );
    // The next gap is filled from the new serial: the jump did not stop the gap fill.
    hostile.jump.events.set(big + 1, 36.7);
    expect(await post("jump", big + 2)).toBe(200);
    await said(`terminal hik-jump: fetched 1 missed event(s) (serial ${big + 1}-${big + 1})`);
    // The one search is the small gap's: the jump asked nothing.
    expect(hostile.jump.searches).toBe(1);
    // Another jump while the alert is open adds no alert.
    expect(await post("jump", 2 ** 40)).toBe(200);
    await said(`events missing (serial ${big + 3}-${2 ** 40 - 1}) not fetched`);
    expect(alerts("hik-jump", "terminal_gap")).toBe(1);
    expect(count("SELECT count(*) FROM readings WHERE device_id = 'hik-jump'")).toBe(5);
  });

  it("a page that never ends is cut off at 1 MB: the gateway's memory stays bounded and it answers on", async () => {
    expect(await post("huge", 1)).toBe(200);
    expect(await post("huge", 3)).toBe(200);
    await said("terminal hik-huge: its event search failed (the answer is larger than 1024 kB)");
    await eventually(() => (hostile.huge.closedByGateway === 1 ? true : undefined));
    // It stopped reading: far less than the 300 MB the page would have been was ever sent.
    expect(hostile.huge.bytesWritten).toBeLessThan(64 * 1024 * 1024);
    const peakKb = Number(
      /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${gateway.child.pid}/status`, "utf8"))?.[1],
    );
    expect(peakKb).toBeLessThan(400 * 1024);
    expect(await post("huge", 4)).toBe(200);
  });

  it("a search that gets no answer ends at its timeout, and is asked again at the next gap", async () => {
    expect(await post("slow", 1)).toBe(200);
    expect(await post("slow", 3)).toBe(200);
    await said("terminal hik-slow: its event search failed (no answer within 10 s)");
    await eventually(() => (hostile.slow.closedByGateway === 1 ? true : undefined));
    expect(await post("slow", 5)).toBe(200);
    await eventually(() => (hostile.slow.searches === 2 ? true : undefined));
  }, 60_000);

  it("a terminal that never answers does not keep the gateway from stopping", async () => {
    expect(await post("silent", 1)).toBe(200);
    expect(await post("silent", 3)).toBe(200);
    await eventually(() => (hostile.silent.searches === 1 ? true : undefined));
    const exited = new Promise<number | null>((resolve) =>
      gateway.child.once("exit", (code) => resolve(code)),
    );
    gateway.child.kill("SIGTERM");

    expect(await exited).toBe(0);
    // Cancelled by the stop, not ended by its own timeout.
    expect(gateway.output()).toContain(
      "terminal hik-silent: its event search cancelled (the gateway is stopping)",
    );
    expect(gateway.output()).not.toContain("terminal hik-silent: its event search failed");
    await eventually(() => (hostile.silent.closedByGateway === 1 ? true : undefined));
  });
});
