import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/log.js";
import { validateConfig } from "../../../gateway/config/load.js";
import { ALL_EVENTS, EventBus } from "../../../gateway/events.js";
import { Metrics } from "../../../gateway/metrics.js";
import { DeviceRegistry } from "../../../gateway/pipeline/devices.js";
import type { InTransaction } from "../../../gateway/pipeline/ingest.js";
import { Store } from "../../../gateway/store/store.js";
import { collectLive, createIngest } from "../../helpers/pipeline.js";

function setup(maxBatch?: number, inTransaction: InTransaction[] = []) {
  const config = validateConfig({
    // Commit at the next turn: the tests count turns, not the group commit's wait.
    ingest: { commit_delay_ms: 0 },
    screening: { fever_above_c: 37.3 },
    checkpoints: [
      { id: "gate-1", name: "A", screening: { comparator: ">=" } },
      { id: "gate-2", name: "B" },
    ],
    devices: [
      { id: "t1", kind: "thermometer", checkpoint: "gate-1", password: "12345678", offset_c: 0.2 },
      { id: "t2", kind: "thermometer", checkpoint: "gate-2", password: "12345678" },
    ],
  });
  const store = Store.open(":memory:", "gw");
  const failures: string[] = [];
  const bus = new EventBus((listener, event, error) =>
    failures.push(`${listener} ${event.seq} ${(error as Error).message}`),
  );
  const devices = new DeviceRegistry(config);
  const metrics = new Metrics();
  const ingest = createIngest({
    config,
    store,
    bus,
    devices,
    metrics,
    log: createLogger("silent"),
    maxBatch,
    inTransaction,
  });
  const published = collectLive(bus);
  return { store, ingest, published, metrics, devices, bus, failures };
}

const input = (device_id: string, raw_c: number, msg_id: string | null = null) => ({
  device_id,
  raw_c,
  ambient_c: null,
  ts_ms: 1_700_000_000_000,
  msg_id,
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the ingest pipeline", () => {
  it("commits what arrives together in one transaction, then acknowledges and publishes in order", async () => {
    const { ingest, published, metrics } = setup();
    const acked: (Error | null)[] = [];
    for (const raw of [36.5, 37.1, 37.2])
      ingest.submitReading(input("t1", raw), (e) => acked.push(e));
    expect(acked).toEqual([]);
    expect(published).toEqual([]);
    await nextTurn();
    expect(acked).toEqual([null, null, null]);
    // gate-1 is temperature_only: each reading is a passage at once, in the same commit, and
    // a fever's alert comes before its passage (t1 reads 0.2 low; gate-1 uses ">=").
    expect(published.map((e) => [e.type, e.seq])).toEqual([
      ["reading", 1],
      ["passage", 2],
      ["reading", 3],
      ["alert", 4],
      ["passage", 5],
      ["reading", 6],
      ["alert", 7],
      ["passage", 8],
    ]);
    const batches = await metrics.batchSize.get();
    expect(
      batches.values.find((v) => v.metricName === "checkpoint_ingest_batch_size_count")?.value,
    ).toBe(1);
  });

  it("applies the device's offset and its checkpoint's rules", async () => {
    const { ingest, published } = setup();
    ingest.submitReading(input("t1", 37.1), () => {});
    ingest.submitReading(input("t2", 37.3), () => {});
    await nextTurn();
    const data = published
      .filter((e) => e.type === "reading")
      .map((e) => e.data as { temp_c: number; status: string; checkpoint_id: string });
    // gate-1 uses ">=" and t1 reads 0.2 low: 37.1 + 0.2 = 37.3 is a fever there.
    expect(data[0]).toMatchObject({ temp_c: 37.3, status: "fever", checkpoint_id: "gate-1" });
    expect(data[1]).toMatchObject({ temp_c: 37.3, status: "normal", checkpoint_id: "gate-2" });
  });

  it("splits a burst larger than the batch limit into several transactions, losing none", async () => {
    const { ingest, published, metrics } = setup(10);
    let acked = 0;
    for (let i = 0; i < 35; i++) ingest.submitReading(input("t2", 36.5), () => acked++);
    await nextTurn();
    expect(acked).toBe(35);
    expect(published.filter((e) => e.type === "reading")).toHaveLength(35);
    const batches = await metrics.batchSize.get();
    expect(
      batches.values.find((v) => v.metricName === "checkpoint_ingest_batch_size_count")?.value,
    ).toBe(4);
  });

  it("acknowledges a duplicate without storing or publishing it again", async () => {
    const { ingest, published } = setup();
    const acked: (Error | null)[] = [];
    ingest.submitReading(input("t2", 36.5, "m1"), (e) => acked.push(e));
    ingest.submitReading(input("t2", 36.5, "m1"), (e) => acked.push(e));
    await nextTurn();
    ingest.submitReading(input("t2", 36.5, "m1"), (e) => acked.push(e));
    await nextTurn();
    expect(acked).toEqual([null, null, null]);
    expect(published.map((e) => e.type)).toEqual(["reading", "passage"]);
  });

  it("does not acknowledge anything of a batch that failed to commit", async () => {
    const { ingest, published, store, metrics } = setup();
    const acked: (Error | null)[] = [];
    ingest.submitReading(input("t2", 36.5), (e) => acked.push(e));
    store.close();
    await nextTurn();
    expect(acked).toHaveLength(1);
    expect(acked[0]).toBeInstanceOf(Error);
    expect(published).toEqual([]);
    expect((await metrics.storeErrors.get()).values[0]?.value).toBe(1);
  });

  it("refuses a reading from a device it does not know", () => {
    const { ingest } = setup();
    let error: Error | null = null;
    ingest.submitReading(input("ghost", 36.5), (e) => {
      error = e;
    });
    expect(error).toEqual(new Error("unknown device 'ghost'"));
  });

  it("stores a device status change only when it is a change", async () => {
    const { ingest, published, devices } = setup();
    ingest.setDeviceOnline("t1", true, "connected");
    ingest.setDeviceOnline("t1", true, "connected");
    ingest.setDeviceOnline("t1", false, "disconnected");
    await nextTurn();
    expect(
      published
        .filter((e) => e.type === "device_status")
        .map((e) => [e.type, (e.data as { online: boolean }).online]),
    ).toEqual([
      ["device_status", true],
      ["device_status", false],
    ]);
    expect(devices.isOnline("t1")).toBe(false);
  });

  it("a listener that throws holds back no acknowledgement, stops no other listener and not the process", async () => {
    const { ingest, bus, published, failures } = setup();
    // Subscribed after `published`'s collector and before another one: both must still get all.
    bus.subscribe(ALL_EVENTS, "broken", () => {
      throw new Error("listener bug");
    });
    const after = collectLive(bus, "after");
    const acked: (Error | null)[] = [];
    // From setImmediate, as the broker's callbacks run: a throw that escaped would end the process.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        for (const raw of [36.5, 38.5])
          ingest.submitReading(input("t2", raw), (e) => acked.push(e));
        resolve();
      }),
    );
    await nextTurn();
    expect(acked).toEqual([null, null]);
    expect(published.map((e) => e.type)).toEqual([
      "reading",
      "passage",
      "reading",
      "alert",
      "passage",
    ]);
    expect(after.map((e) => e.seq)).toEqual(published.map((e) => e.seq));
    expect(failures).toEqual(published.map((e) => `broken ${e.seq} listener bug`));
  });

  it("acknowledges the rest of a batch when one arrival cannot be written, and not that one", async () => {
    // An outbox write that fails for one event stands for any fault limited to one message.
    const failOn: InTransaction = (events) => {
      for (const event of events)
        if (event.kind === "reading_stored" && event.reading.raw_c === 39.9)
          throw new Error("cannot queue this one");
    };
    const { ingest, store, metrics } = setup(undefined, [failOn]);
    const acked: string[] = [];
    for (const raw of [36.5, 39.9, 36.7])
      ingest.submitReading(input("t2", raw), (e) => acked.push(`${raw}:${e ? e.message : "ok"}`));
    await nextTurn();
    expect(acked.sort()).toEqual(["36.5:ok", "36.7:ok", "39.9:cannot queue this one"]);
    expect(
      store.readings
        .page({ limit: 10 })
        .items.map((r) => r.raw_c)
        .sort(),
    ).toEqual([36.5, 36.7]);
    expect((await metrics.storeErrors.get()).values[0]?.value).toBe(1);
  });
});
