import { describe, expect, it } from "vitest";
import { debounceScan, type SeenPasses } from "../../../gateway/devices/debounce.js";
import {
  EMPTY,
  observe,
  type PresenceState,
  type Sample,
} from "../../../gateway/devices/presence.js";

const rule = { presenceAboveC: 30, maxMs: 1500 };

function run(samples: [number, number][]): number[] {
  let state: PresenceState = EMPTY;
  const readings: number[] = [];
  for (const [tsMs, objectC] of samples) {
    const result = observe(state, { objectC, ambientC: 20, tsMs } satisfies Sample, rule);
    state = result.state;
    if (result.reading) readings.push(result.reading.objectC);
  }
  return readings;
}

describe("presence: one reading per person from a continuous stream", () => {
  it.each([
    [
      "nobody there",
      [
        [0, 21],
        [100, 21.5],
        [200, 22],
      ],
      [],
    ],
    [
      "one person: the peak, when they step away",
      [
        [0, 21],
        [100, 35.2],
        [200, 36.6],
        [300, 36.4],
        [400, 22],
      ],
      [36.6],
    ],
    [
      "two people with the background between them",
      [
        [0, 36.5],
        [100, 36.7],
        [200, 21],
        [300, 38.2],
        [400, 38.4],
        [500, 21],
      ],
      [36.7, 38.4],
    ],
    [
      "someone who stays: once, after maxMs, and not again",
      [
        [0, 36.5],
        [800, 36.8],
        [1500, 36.6],
        [2500, 36.9],
        [4000, 37],
        [4100, 20],
      ],
      [36.8],
    ],
    [
      "a cold arrival at the threshold counts",
      [
        [0, 20],
        [100, 30],
        [200, 31.5],
        [300, 20],
      ],
      [31.5],
    ],
    [
      "just below the threshold does not",
      [
        [0, 29.9],
        [100, 29.99],
        [200, 20],
      ],
      [],
    ],
  ] as [string, [number, number][], number[]][])("%s", (_name, samples, expected) => {
    expect(run(samples)).toEqual(expected);
  });
});

describe("debounce: one scan per card presentation", () => {
  function scans(events: [number, string][], windowMs = 3000): string[] {
    let seen: SeenPasses = new Map();
    const accepted: string[] = [];
    for (const [nowMs, passId] of events) {
      const result = debounceScan(seen, passId, nowMs, windowMs);
      seen = result.seen;
      if (result.isNewScan) accepted.push(`${nowMs}:${passId}`);
    }
    return accepted;
  }

  it("takes a held card, repeating every 100 ms for 10 s, as one scan", () => {
    const held = Array.from({ length: 100 }, (_, i) => [i * 100, "0012345678"] as [number, string]);
    expect(scans(held)).toEqual(["0:0012345678"]);
  });

  it("takes the same card again after the window, and another card at once", () => {
    expect(
      scans([
        [0, "A"],
        [1000, "B"],
        [2000, "A"],
        [5001, "A"],
        [5002, "B"],
      ]),
    ).toEqual(["0:A", "1000:B", "5001:A", "5002:B"]);
  });

  it("is exact at the window's edge", () => {
    expect(
      scans([
        [0, "A"],
        [3000, "A"],
        [6001, "A"],
      ]),
    ).toEqual(["0:A", "6001:A"]);
  });

  it("forgets cards not seen for a window", () => {
    let seen: SeenPasses = new Map();
    for (let i = 0; i < 50; i++) seen = debounceScan(seen, `card-${i}`, i * 10_000, 3000).seen;
    expect(seen.size).toBe(1);
  });
});
