import { describe, expect, it } from "vitest";
import {
  arrive,
  expire,
  type Half,
  NO_PENDING,
  type PairingState,
  type PassageDraft,
} from "../../../gateway/domain/pairing.js";
import type { CheckpointMode } from "../../../gateway/domain/types.js";

const W = 10_000;
const reading = (id: string, tsMs: number): Half => ({
  kind: "reading",
  id,
  tsMs,
  tempC: 36.6,
  status: "normal",
});
const scan = (id: string, tsMs: number): Half => ({ kind: "scan", id, tsMs, passId: `pass-${id}` });

/** Feeds halves in order, then expires at `endMs`; returns each passage as "reading+scan@ts". */
function play(mode: CheckpointMode, halves: Half[], endMs: number): string[] {
  let state: PairingState = NO_PENDING;
  const drafts: PassageDraft[] = [];
  for (const half of halves) {
    const expired = expire(state, half.tsMs, mode, W);
    drafts.push(...expired.drafts);
    const result = arrive(expired.state, half, mode, W);
    state = result.state;
    drafts.push(...result.drafts);
  }
  drafts.push(...expire(state, endMs, mode, W).drafts);
  return drafts.map((d) => `${d.reading?.id ?? "-"}+${d.scan?.id ?? "-"}@${d.tsMs}`);
}

describe("pairing at a pass_and_temperature checkpoint", () => {
  const mode = "pass_and_temperature";
  it.each([
    ["scan then reading", [scan("s", 0), reading("r", 3000)], ["r+s@3000"]],
    ["reading then scan", [reading("r", 0), scan("s", 3000)], ["r+s@3000"]],
    ["exactly at the window's edge", [scan("s", 0), reading("r", W)], ["r+s@10000"]],
    [
      "one ms past the edge: two lone passages",
      [scan("s", 0), reading("r", W + 1)],
      ["-+s@10000", "r+-@20001"],
    ],
    ["reading alone", [reading("r", 0)], ["r+-@10000"]],
    ["scan alone", [scan("s", 0)], ["-+s@10000"]],
    [
      "each half is used once",
      [scan("s1", 0), reading("r1", 1000), reading("r2", 2000)],
      ["r1+s1@1000", "r2+-@12000"],
    ],
    [
      "the oldest waiting half pairs first",
      [scan("s1", 0), scan("s2", 500), reading("r1", 1000), reading("r2", 1500)],
      ["r1+s1@1000", "r2+s2@1500"],
    ],
    [
      "a queue of people, alternating",
      [scan("a", 0), reading("ra", 2000), scan("b", 4000), reading("rb", 6000)],
      ["ra+a@2000", "rb+b@6000"],
    ],
  ] as [string, Half[], string[]][])("%s", (_name, halves, expected) => {
    expect(play(mode, halves, 60_000)).toEqual(expected);
  });
});

describe("pairing at a temperature_only checkpoint", () => {
  const mode = "temperature_only";
  it.each([
    [
      "every reading is a passage at once",
      [reading("r1", 0), reading("r2", 100)],
      ["r1+-@0", "r2+-@100"],
    ],
    ["a scan just before is attached", [scan("s", 0), reading("r", 5000)], ["r+s@5000"]],
    ["a scan at the window's edge is attached", [scan("s", 0), reading("r", W)], ["r+s@10000"]],
    ["a scan older than the window is not", [scan("s", 0), reading("r", W + 1)], ["r+-@10001"]],
    ["a scan after the reading makes no passage", [reading("r", 0), scan("s", 1000)], ["r+-@0"]],
    ["a lone scan makes no passage", [scan("s", 0)], []],
  ] as [string, Half[], string[]][])("%s", (_name, halves, expected) => {
    expect(play(mode, halves, 60_000)).toEqual(expected);
  });
});

describe("pairing at a pass_only checkpoint", () => {
  it("makes every scan a passage at once and ignores readings", () => {
    expect(play("pass_only", [scan("s1", 0), reading("r", 10), scan("s2", 20)], 60_000)).toEqual([
      "-+s1@0",
      "-+s2@20",
    ]);
  });
});
