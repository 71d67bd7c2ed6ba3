import { describe, expect, it } from "vitest";
import {
  decidePassage,
  type PassageInput,
  type PassFacts,
} from "../../../gateway/domain/passage-rules.js";
import type {
  CheckpointDirection,
  CheckpointMode,
  Enforcement,
  ReadingStatus,
} from "../../../gateway/domain/types.js";

const NOW = Date.parse("2026-11-22T08:00:00Z");
const DAY = 86_400_000;
const PASSES: Record<string, PassFacts | undefined | null> = {
  "no scan": null,
  unknown: undefined,
  active: { status: "active", validUntilMs: NOW + 30 * DAY, observationUntilMs: null },
  "no end date": { status: "active", validUntilMs: null, observationUntilMs: null },
  revoked: { status: "revoked", validUntilMs: NOW + 30 * DAY, observationUntilMs: null },
  expired: { status: "active", validUntilMs: NOW - 1, observationUntilMs: null },
  observed: { status: "active", validUntilMs: NOW + 30 * DAY, observationUntilMs: NOW + 14 * DAY },
  "observation over": {
    status: "active",
    validUntilMs: NOW + 30 * DAY,
    observationUntilMs: NOW - 1,
  },
};

function run(
  mode: CheckpointMode,
  enforcement: Enforcement,
  direction: CheckpointDirection,
  reading: ReadingStatus | null,
  pass: string,
) {
  const facts = PASSES[pass];
  const input: PassageInput = {
    mode,
    enforcement,
    direction,
    readingStatus: reading,
    scan: facts === null ? null : { pass: facts },
    nowMs: NOW,
  };
  const { decision, reasons } = decidePassage(input);
  return `${decision} ${reasons.join(",") || "-"}`;
}

describe("passage decisions, table (docs/contract.md#screening-and-decisions)", () => {
  it.each([
    // pass_and_temperature, hard: both halves needed, every reason denies
    ["pass_and_temperature", "hard", "both", "normal", "active", "allow -"],
    ["pass_and_temperature", "hard", "both", "normal", "no end date", "allow -"],
    ["pass_and_temperature", "hard", "both", "fever", "active", "deny fever"],
    ["pass_and_temperature", "hard", "both", "low", "active", "deny low"],
    ["pass_and_temperature", "hard", "both", "invalid", "active", "deny invalid"],
    ["pass_and_temperature", "hard", "both", "normal", "unknown", "deny unknown_pass"],
    ["pass_and_temperature", "hard", "both", "normal", "revoked", "deny revoked_pass"],
    ["pass_and_temperature", "hard", "both", "normal", "expired", "deny expired_pass"],
    ["pass_and_temperature", "hard", "both", "fever", "revoked", "deny fever,revoked_pass"],
    ["pass_and_temperature", "hard", "both", "normal", "no scan", "deny no_pass"],
    ["pass_and_temperature", "hard", "both", null, "active", "deny no_temperature"],
    ["pass_and_temperature", "hard", "both", null, "unknown", "deny unknown_pass,no_temperature"],
    ["pass_and_temperature", "hard", "both", "fever", "no scan", "deny fever,no_pass"],
    // home observation by direction
    ["pass_and_temperature", "hard", "out", "normal", "observed", "deny observation"],
    ["pass_and_temperature", "hard", "both", "normal", "observed", "deny observation"],
    ["pass_and_temperature", "hard", "in", "normal", "observed", "allow -"],
    ["pass_and_temperature", "hard", "out", "normal", "observation over", "allow -"],
    ["pass_and_temperature", "hard", "in", "fever", "observed", "deny fever"],
    // soft: allowed and flagged, except passes that are not valid
    ["pass_and_temperature", "soft", "both", "fever", "active", "allow fever"],
    ["pass_and_temperature", "soft", "both", "low", "active", "allow low"],
    ["pass_and_temperature", "soft", "out", "normal", "observed", "allow observation"],
    ["pass_and_temperature", "soft", "both", "normal", "no scan", "allow no_pass"],
    ["pass_and_temperature", "soft", "both", null, "active", "allow no_temperature"],
    ["pass_and_temperature", "soft", "both", "normal", "unknown", "deny unknown_pass"],
    ["pass_and_temperature", "soft", "both", "normal", "revoked", "deny revoked_pass"],
    ["pass_and_temperature", "soft", "both", "normal", "expired", "deny expired_pass"],
    ["pass_and_temperature", "soft", "both", "fever", "expired", "deny fever,expired_pass"],
    // temperature_only: decided on the reading; a pass is attached, never decisive
    ["temperature_only", "hard", "both", "normal", "no scan", "allow -"],
    ["temperature_only", "hard", "both", "fever", "no scan", "deny fever"],
    ["temperature_only", "hard", "both", "low", "no scan", "deny low"],
    ["temperature_only", "hard", "both", "invalid", "no scan", "deny invalid"],
    ["temperature_only", "hard", "both", "normal", "revoked", "allow -"],
    ["temperature_only", "hard", "out", "normal", "observed", "allow -"],
    ["temperature_only", "soft", "both", "fever", "unknown", "allow fever"],
    // pass_only: decided on the pass
    ["pass_only", "hard", "both", null, "active", "allow -"],
    ["pass_only", "hard", "both", null, "unknown", "deny unknown_pass"],
    ["pass_only", "hard", "both", null, "revoked", "deny revoked_pass"],
    ["pass_only", "hard", "both", null, "expired", "deny expired_pass"],
    ["pass_only", "hard", "out", null, "observed", "deny observation"],
    ["pass_only", "hard", "in", null, "observed", "allow -"],
    ["pass_only", "soft", "out", null, "observed", "allow observation"],
    ["pass_only", "soft", "both", null, "revoked", "deny revoked_pass"],
  ] as [CheckpointMode, Enforcement, CheckpointDirection, ReadingStatus | null, string, string][])(
    "%s %s %s, reading %s, pass %s: %s",
    (mode, enforcement, direction, reading, pass, expected) => {
      expect(run(mode, enforcement, direction, reading, pass)).toBe(expected);
    },
  );
});

describe("passage decisions, every combination", () => {
  const modes: CheckpointMode[] = ["temperature_only", "pass_and_temperature", "pass_only"];
  const enforcements: Enforcement[] = ["hard", "soft"];
  const directions: CheckpointDirection[] = ["in", "out", "both"];
  const readings: (ReadingStatus | null)[] = [null, "normal", "fever", "low", "invalid"];
  const combos = modes.flatMap((m) =>
    enforcements.flatMap((e) =>
      directions.flatMap((d) =>
        readings.flatMap((r) => Object.keys(PASSES).map((p) => [m, e, d, r, p] as const)),
      ),
    ),
  );

  it(`covers ${combos.length} combinations with the invariants of docs/contract.md#screening-and-decisions`, () => {
    for (const [mode, enforcement, direction, reading, pass] of combos) {
      const [decision, list] = run(mode, enforcement, direction, reading, pass).split(" ");
      const reasons = list === "-" ? [] : (list ?? "").split(",");
      const where = `${mode} ${enforcement} ${direction} ${reading} ${pass}`;
      if (enforcement === "hard") expect(decision === "deny", where).toBe(reasons.length > 0);
      else
        expect(decision === "deny", where).toBe(
          reasons.some((r) => ["unknown_pass", "revoked_pass", "expired_pass"].includes(r)),
        );
      if (mode === "temperature_only")
        expect(
          reasons.every((r) => ["fever", "low", "invalid"].includes(r)),
          where,
        ).toBe(true);
      if (mode === "pass_only")
        expect(
          reasons.every(
            (r) => !["fever", "low", "invalid", "no_pass", "no_temperature"].includes(r),
          ),
          where,
        ).toBe(true);
      if (direction === "in") expect(reasons, where).not.toContain("observation");
    }
  });
});
