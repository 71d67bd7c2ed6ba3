import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/log.js";
import { PtyPair } from "../../firmware-sim/serial/pty.js";
import { VirtualSerialDevice } from "../../firmware-sim/serial/virtual-devices.js";
import { Gy90614Frame } from "../../gateway/devices/gy-mcu90614/index.js";
import { Gateway } from "../../gateway/gateway.js";
import { eventually, login, metricValue, testConfig } from "../helpers/gateway.js";
import { LiveClient } from "../helpers/live-client.js";

let dir: string;
let gateway: Gateway;
let httpUrl: string;
let guard: LiveClient;
let kiosk: LiveClient;
const pairs: Record<string, PtyPair> = {};
const devices: Record<string, VirtualSerialDevice> = {};

const health = async (id: string) =>
  (
    (await (await fetch(`${httpUrl}/api/health`)).json()) as {
      devices: { id: string; online: boolean; transport: string }[];
    }
  ).devices.find((d) => d.id === id);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-serial-"));
  for (const name of ["gy", "text", "rdm", "qr"]) {
    pairs[name] = PtyPair.inDir(dir, name);
    await pairs[name]?.plug();
  }
  const { config } = testConfig({
    devices: [
      {
        id: "thermo-gy",
        kind: "thermometer",
        checkpoint: "gate-1",
        transport: "serial",
        protocol: "gy-mcu90614",
        path: pairs.gy?.gatewayPath,
      },
      {
        id: "thermo-text",
        kind: "thermometer",
        checkpoint: "gate-2",
        transport: "serial",
        protocol: "text-line",
        path: pairs.text?.gatewayPath,
      },
      {
        id: "reader-rdm",
        kind: "pass_reader",
        checkpoint: "gate-1",
        transport: "serial",
        protocol: "rdm6300",
        path: pairs.rdm?.gatewayPath,
      },
      {
        id: "reader-qr",
        kind: "pass_reader",
        checkpoint: "gate-2",
        transport: "serial",
        protocol: "qr-line",
        path: pairs.qr?.gatewayPath,
      },
      {
        id: "reader-absent",
        kind: "pass_reader",
        checkpoint: "gate-2",
        transport: "serial",
        protocol: "rdm6300",
        path: join(dir, "never-plugged"),
      },
    ],
  });
  gateway = new Gateway(
    { ...config, database: { path: join(dir, "serial.db") } },
    { log: createLogger("silent") },
  );
  await gateway.start();
  httpUrl = `http://127.0.0.1:${gateway.httpPort}`;
  guard = await LiveClient.connect(`ws://127.0.0.1:${gateway.httpPort}/live/guard`, {
    authorization: `Bearer ${await login(httpUrl)}`,
  });
  kiosk = await LiveClient.connect(`ws://127.0.0.1:${gateway.httpPort}/live?checkpoint=gate-1`);
  devices.gy = new VirtualSerialDevice("gy-mcu90614", pairs.gy?.devicePath ?? "");
  devices.text = new VirtualSerialDevice("text-line", pairs.text?.devicePath ?? "");
  devices.rdm = new VirtualSerialDevice("rdm6300", pairs.rdm?.devicePath ?? "");
  devices.qr = new VirtualSerialDevice("qr-line", pairs.qr?.devicePath ?? "");
  await Promise.all(Object.values(devices).map((d) => d.open()));
  await eventually(async () => ((await health("thermo-gy"))?.online ? true : undefined));
  // The gateway asked for continuous output before the simulated module was listening; it
  // asks again when no frames come, which is what a module that was reset needs too.
  await eventually(() => (devices.gy?.streaming ? true : undefined), 10_000);
});

afterAll(async () => {
  await Promise.all(Object.values(devices).map((d) => d.close()));
  await guard?.close();
  await kiosk?.close();
  await gateway?.stop();
  await Promise.all(Object.values(pairs).map((p) => p.unplug()));
  rmSync(dir, { recursive: true, force: true });
});

describe("serial devices on real pseudo-terminals", () => {
  it("reads a person at the GY-MCU90614 (continuous output) as one reading, stored and pushed live", async () => {
    await devices.gy?.measure(38.24, 800);
    const reading = await guard.waitFor(
      (m) => m.type === "reading" && m.data.device_id === "thermo-gy",
    );
    expect(reading.data).toMatchObject({
      raw_c: 38.24,
      temp_c: 38.2,
      status: "fever",
      checkpoint_id: "gate-1",
      ambient_c: 21,
    });
    await kiosk.waitFor((m) => m.type === "reading" && m.data.seq === reading.seq);
    const token = await login(httpUrl);
    const stored = (await (
      await fetch(`${httpUrl}/api/readings?device=thermo-gy`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { items: unknown[] };
    expect(stored.items).toHaveLength(1);
  });

  it("reads text lines from a text-line thermometer", async () => {
    await devices.text?.measure(36.5);
    const reading = await guard.waitFor(
      (m) => m.type === "reading" && m.data.device_id === "thermo-text",
    );
    expect(reading.data).toMatchObject({ temp_c: 36.5, status: "normal", checkpoint_id: "gate-2" });
  });

  it("makes one scan of a card held to the RDM6300: whole on the guard channel, masked on the kiosk", async () => {
    await devices.rdm?.present("0169552957", 1500);
    const scan = await guard.waitFor((m) => m.type === "scan" && m.data.device_id === "reader-rdm");
    expect(scan.data).toMatchObject({ pass_id: "0169552957", method: "card" });
    expect((await kiosk.waitFor((m) => m.type === "scan" && m.seq === scan.seq)).data.pass_id).toBe(
      "01****2957",
    );
    // The marker: another card on the same port. Frames are read in order, so once its scan
    // is in, any repeat of the first card's would be too.
    await devices.rdm?.present("0169552958", 100);
    await guard.waitFor(
      (m) =>
        m.type === "scan" && m.data.device_id === "reader-rdm" && m.data.pass_id === "0169552958",
    );
    expect(
      guard.messages.filter(
        (m) =>
          m.type === "scan" && m.data.device_id === "reader-rdm" && m.data.pass_id === "0169552957",
      ),
    ).toHaveLength(1);
  });

  it("reads a QR code and ignores %%NoRead", async () => {
    await devices.qr?.write(Buffer.from("%%NoRead\r"));
    await devices.qr?.present("RES-7F3A-2291");
    const scan = await guard.waitFor((m) => m.type === "scan" && m.data.device_id === "reader-qr");
    expect(scan.data).toMatchObject({ pass_id: "RES-7F3A-2291", method: "qr" });
    expect(
      guard.messages.filter((m) => m.type === "scan" && m.data.device_id === "reader-qr"),
    ).toHaveLength(1);
  });

  it("counts garbage and corrupt frames per device and keeps reading", async () => {
    await devices.gy?.write(Buffer.from("garbage on the line \x00\xff\x5a"));
    const corrupt = Gy90614Frame.of(36.6, 21).toBuffer();
    corrupt[8] = (corrupt[8] ?? 0) ^ 0xff;
    await devices.gy?.write(corrupt);
    await eventually(async () =>
      (await metricValue(httpUrl, "checkpoint_bad_frames_total", {
        device: "thermo-gy",
        reason: "checksum",
      })) >= 1
        ? true
        : undefined,
    );
    expect(
      await metricValue(httpUrl, "checkpoint_bad_frames_total", {
        device: "thermo-gy",
        reason: "garbage",
      }),
    ).toBeGreaterThan(0);
    await devices.gy?.measure(36.7, 800);
    await guard.waitFor(
      (m) => m.type === "reading" && m.data.device_id === "thermo-gy" && m.data.temp_c === 36.7,
    );
  });

  it("shows a device whose port never appears as offline, without stopping the others", async () => {
    expect(await health("reader-absent")).toMatchObject({ online: false, transport: "serial" });
    expect(await health("reader-rdm")).toMatchObject({ online: true });
  });

  it("goes offline when unplugged, and online and reading again when a new pair appears at the same path", async () => {
    await devices.gy?.close();
    await pairs.gy?.unplug();
    await eventually(
      async () => ((await health("thermo-gy"))?.online === false ? true : undefined),
      5000,
    );
    await guard.waitFor(
      (m) =>
        m.type === "device_status" && m.data.device_id === "thermo-gy" && m.data.online === false,
    );
    await pairs.gy?.plug();
    await devices.gy?.open();
    await eventually(async () => ((await health("thermo-gy"))?.online ? true : undefined), 40_000);
    await eventually(() => (devices.gy?.streaming ? true : undefined), 10_000);
    await devices.gy?.measure(37.1, 800);
    await guard.waitFor(
      (m) => m.type === "reading" && m.data.device_id === "thermo-gy" && m.data.temp_c === 37.1,
      5000,
    );
  }, 60_000);
});
