// node-serialport's own mock binding: importing @serialport/binding-mock as ESM would give a
// second copy of its state (the CommonJS copy is the one SerialPortMock uses).
import { SerialPortMock } from "serialport";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../common/log.js";
import { validateConfig } from "../../../gateway/config/load.js";
import { Gy90614Frame } from "../../../gateway/devices/gy-mcu90614/index.js";
import { QrFrame } from "../../../gateway/devices/qr-line/index.js";
import { Rdm6300Frame } from "../../../gateway/devices/rdm6300/index.js";
import { SerialDevice } from "../../../gateway/devices/serial-device.js";
import { backoffDelay } from "../../../gateway/devices/serial-link.js";
import { TextLineFrame } from "../../../gateway/devices/text-line/index.js";
import { EventBus } from "../../../gateway/events.js";
import { Metrics } from "../../../gateway/metrics.js";
import { DeviceRegistry } from "../../../gateway/pipeline/devices.js";
import { Store } from "../../../gateway/store/store.js";
import { collectLive, createIngest } from "../../helpers/pipeline.js";

const PATH = "/dev/mock-serial";
const MockBinding = SerialPortMock.binding;

function setup(device: Record<string, unknown>) {
  const config = validateConfig({
    checkpoints: [{ id: "gate-1", name: "Gate" }],
    devices: [{ id: "dev-1", checkpoint: "gate-1", transport: "serial", path: PATH, ...device }],
  });
  const store = Store.open(":memory:", "gw");
  const bus = new EventBus();
  const devices = new DeviceRegistry(config);
  const metrics = new Metrics();
  const log = createLogger("silent");
  const ingest = createIngest({ config, store, bus, devices, metrics, log });
  const events = collectLive(bus);
  const ports: SerialPortMock[] = [];
  const serialConfig = config.devices[0];
  if (serialConfig?.transport !== "serial") throw new Error("a serial device is expected");
  const serial = new SerialDevice(serialConfig, {
    ingest,
    devices,
    metrics,
    log,
    backoff: { initialMs: 1000, maxMs: 8000 },
    openPort: ({ path, baudRate }) => {
      const port = new SerialPortMock({ path, baudRate, autoOpen: false });
      ports.push(port);
      return port;
    },
  });
  const data = (kind: string) =>
    events.filter((e) => e.type === kind).map((e): Record<string, unknown> => ({ ...e.data }));
  const emit = (bytes: Buffer) => ports.at(-1)?.port?.emitData(bytes);
  return { serial, events, data, emit, ports, metrics, devices };
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers({
    toFake: [
      "setTimeout",
      "clearTimeout",
      "setInterval",
      "clearInterval",
      "setImmediate",
      "clearImmediate",
      "Date",
    ],
  });
  MockBinding.reset();
  MockBinding.createPort(PATH, { echo: false, record: true });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("serial devices", () => {
  it("a GY-MCU90614 is asked for continuous output on open and reports one reading per person", async () => {
    const { serial, data, emit, ports } = setup({ kind: "thermometer", protocol: "gy-mcu90614" });
    serial.start();
    await tick(10);
    expect(ports[0]?.port?.recording).toEqual(Buffer.from([0xa5, 0x45, 0xea]));
    expect(data("device_status")).toMatchObject([{ online: true, reason: "port open" }]);
    for (const objectC of [22.1, 22.2, 35.9, 36.62, 36.4, 22.3]) {
      emit(Gy90614Frame.of(objectC, 21.5).toBuffer());
      await tick(100);
    }
    expect(data("reading")).toMatchObject([
      { raw_c: 36.62, temp_c: 36.6, ambient_c: 21.5, status: "normal", device_id: "dev-1" },
    ]);
    await serial.stop();
  });

  it("a GY-MCU90614 in poll mode is sent a read command every interval", async () => {
    const { serial, ports } = setup({
      kind: "thermometer",
      protocol: "gy-mcu90614",
      read_mode: "poll",
      poll_interval_ms: 200,
    });
    serial.start();
    await tick(1000);
    const recording = ports[0]?.port?.recording ?? Buffer.alloc(0);
    expect(recording.length / 3).toBe(5);
    expect(recording.subarray(0, 3)).toEqual(Buffer.from([0xa5, 0x15, 0xba]));
    await serial.stop();
  });

  it("a text-line thermometer turns each line into a reading and counts lines it cannot read", async () => {
    const { serial, data, emit, metrics } = setup({ kind: "thermometer", protocol: "text-line" });
    serial.start();
    await tick(10);
    emit(
      Buffer.concat([
        TextLineFrame.of(38.2).toBuffer(),
        Buffer.from("ERR\r\n"),
        TextLineFrame.of(36.5).toBuffer(),
      ]),
    );
    await tick(10);
    expect(data("reading").map((r) => [r.temp_c, r.status])).toEqual([
      [38.2, "fever"],
      [36.5, "normal"],
    ]);
    expect((await metrics.badFrames.get()).values).toEqual([
      expect.objectContaining({ labels: { device: "dev-1", reason: "no_match" }, value: 1 }),
    ]);
    await serial.stop();
  });

  it("an RDM6300 reader makes one scan of a card held for 5 s, and a new one after debounce_s", async () => {
    const { serial, data, emit } = setup({
      kind: "pass_reader",
      protocol: "rdm6300",
      debounce_s: 3,
    });
    serial.start();
    await tick(10);
    const card = Rdm6300Frame.fromPassId("0169552957", 0x1a).toBuffer();
    for (let t = 0; t < 5000; t += 100) {
      emit(card);
      await tick(100);
    }
    expect(data("scan")).toMatchObject([{ pass_id: "0169552957", method: "card" }]);
    await tick(3500);
    emit(card);
    await tick(10);
    expect(data("scan")).toHaveLength(2);
    await serial.stop();
  });

  it("a QR scanner without a suffix ends a code on the idle gap and ignores %%NoRead", async () => {
    const { serial, data, emit } = setup({
      kind: "pass_reader",
      protocol: "qr-line",
      idle_ms: 100,
    });
    serial.start();
    await tick(10);
    emit(Buffer.from("%%NoRead\r"));
    emit(QrFrame.of("RES-7F3A-2291").toBuffer(""));
    await tick(50);
    expect(data("scan")).toEqual([]);
    await tick(100);
    expect(data("scan")).toMatchObject([{ pass_id: "RES-7F3A-2291", method: "qr" }]);
    await serial.stop();
  });

  it("a missing port is reported offline and retried with growing delays until it appears", async () => {
    MockBinding.reset();
    const { serial, data, ports, metrics } = setup({ kind: "pass_reader", protocol: "rdm6300" });
    vi.spyOn(Math, "random").mockReturnValue(1);
    serial.start();
    await tick(10);
    expect(data("device_status")).toEqual([]);
    expect(ports).toHaveLength(1);
    await tick(1000);
    expect(ports).toHaveLength(2);
    await tick(2000);
    expect(ports).toHaveLength(3);
    await tick(3900);
    expect(ports).toHaveLength(3);
    MockBinding.createPort(PATH, { echo: false, record: true });
    await tick(200);
    expect(ports).toHaveLength(4);
    expect(data("device_status")).toMatchObject([{ online: true }]);
    expect((await metrics.serialReopens.get()).values[0]?.value).toBe(3);
    await serial.stop();
  });

  it("an unplugged port goes offline, comes back online when replugged, and reads again", async () => {
    const { serial, data, emit, ports } = setup({ kind: "pass_reader", protocol: "rdm6300" });
    vi.spyOn(Math, "random").mockReturnValue(0);
    serial.start();
    await tick(10);
    emit(Rdm6300Frame.fromPassId("0000000001").toBuffer());
    await tick(10);
    // Unplugged: the port closes under us and the device file is gone.
    MockBinding.reset();
    await ports[0]?.port?.close();
    ports[0]?.emit("close", new Error("disconnected"));
    await tick(10);
    expect(data("device_status").map((s) => s.online)).toEqual([true, false]);
    MockBinding.createPort(PATH, { echo: false, record: true });
    await tick(600);
    expect(data("device_status").map((s) => s.online)).toEqual([true, false, true]);
    emit(Rdm6300Frame.fromPassId("0000000002").toBuffer());
    await tick(10);
    expect(data("scan").map((s) => s.pass_id)).toEqual(["0000000001", "0000000002"]);
    await serial.stop();
  });

  it("backs off exponentially with jitter, capped", () => {
    const backoff = { initialMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, backoff, 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffDelay(0, backoff, 0)).toBe(500);
    expect(backoffDelay(40, backoff, 0.5)).toBe(22500);
  });
});
