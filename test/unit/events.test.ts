import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../gateway/domain/events.js";
import { ALL_EVENTS, EventBus } from "../../gateway/events.js";

const reading = (seq: number): DomainEvent => ({
  kind: "reading_stored",
  seq,
  checkpointId: "gate-1",
  reading: {
    id: `gw:${seq}`,
    seq,
    device_id: "thermo-1",
    checkpoint_id: "gate-1",
    ts: "2026-12-03T08:00:00.000Z",
    temp_c: 36.6,
    status: "normal",
  } as never,
});
const status = (seq: number): DomainEvent => ({
  kind: "device_status_changed",
  seq,
  checkpointId: "gate-1",
  status: { id: `gw:${seq}`, seq } as never,
});

function recordingBus() {
  const failures: { owner: string; seq: number; message: string }[] = [];
  const bus = new EventBus((owner, event, error) =>
    failures.push({ owner, seq: event.seq, message: (error as Error).message }),
  );
  return { bus, failures };
}

describe("the event bus", () => {
  it("hands a listener only the kinds it subscribed to, in order", () => {
    const { bus } = recordingBus();
    const readings: number[] = [];
    const everything: number[] = [];
    bus.subscribe("reading_stored", "readings", (event) => {
      readings.push(event.reading.seq);
    });
    bus.subscribe(ALL_EVENTS, "all", (event) => {
      everything.push(event.seq);
    });
    bus.publish([reading(1), status(2), reading(3)]);
    expect(readings).toEqual([1, 3]);
    expect(everything).toEqual([1, 2, 3]);
  });

  it("removes every listener of an owner at once, and one subscription by its disposer", () => {
    const { bus } = recordingBus();
    const seen: string[] = [];
    bus.subscribe("reading_stored", "live", () => void seen.push("live reading"));
    bus.subscribe("device_status_changed", "live", () => void seen.push("live status"));
    const dispose = bus.subscribe(ALL_EVENTS, "doors", () => void seen.push("doors"));
    bus.subscribe(ALL_EVENTS, "upstream", () => void seen.push("upstream"));
    bus.removeListeners("live");
    dispose();
    bus.publish([reading(1), status(2)]);
    expect(seen).toEqual(["upstream", "upstream"]);
  });

  it.each(["throws", "rejects"])(
    "isolates a listener that %s: reported with its owner, the others still get the event",
    async (how) => {
      const { bus, failures } = recordingBus();
      const after: number[] = [];
      bus.subscribe(ALL_EVENTS, "broken", (event) => {
        if (how === "throws") throw new Error("listener threw");
        return Promise.reject(new Error(`listener rejected ${event.seq}`));
      });
      bus.subscribe(ALL_EVENTS, "after", (event) => void after.push(event.seq));
      expect(() => bus.publish([reading(1), reading(2)])).not.toThrow();
      expect(after).toEqual([1, 2]);
      // A rejection is reported once the promise settles.
      await new Promise((resolve) => setImmediate(resolve));
      expect(failures).toEqual(
        how === "throws"
          ? [
              { owner: "broken", seq: 1, message: "listener threw" },
              { owner: "broken", seq: 2, message: "listener threw" },
            ]
          : [
              { owner: "broken", seq: 1, message: "listener rejected 1" },
              { owner: "broken", seq: 2, message: "listener rejected 2" },
            ],
      );
    },
  );

  it("goes on when the failure reporter itself throws", () => {
    const bus = new EventBus(() => {
      throw new Error("reporter broke");
    });
    const after: number[] = [];
    bus.subscribe(ALL_EVENTS, "broken", () => {
      throw new Error("listener threw");
    });
    bus.subscribe(ALL_EVENTS, "after", (event) => void after.push(event.seq));
    bus.publish([reading(1)]);
    expect(after).toEqual([1]);
  });
});
