import type {
  CheckpointDirection,
  CheckpointMode,
  Enforcement,
  PassageDecision,
  PassageReason,
  PassStatus,
  ReadingStatus,
} from "./types.js";

/**
 * Who may pass (docs/contract.md#screening-and-decisions "Passage decisions"), as pure functions: the reasons a person gives the
 * guard cause for, and whether the checkpoint's enforcement lets them through anyway.
 */

/** What the decision needs to know of a pass; undefined when the pass is not registered. */
export interface PassFacts {
  status: PassStatus;
  validUntilMs: number | null;
  observationUntilMs: number | null;
}

/** Denied under soft enforcement too: a pass that is not (or no longer) valid is no pass. */
export const ALWAYS_DENYING: ReadonlySet<PassageReason> = new Set([
  "unknown_pass",
  "revoked_pass",
  "expired_pass",
]);

export function temperatureReasons(status: ReadingStatus): PassageReason[] {
  return status === "normal" ? [] : [status];
}

export function passReasons(
  pass: PassFacts | undefined,
  nowMs: number,
  direction: CheckpointDirection,
): PassageReason[] {
  if (!pass) return ["unknown_pass"];
  if (pass.status === "revoked") return ["revoked_pass"];
  if (pass.validUntilMs !== null && nowMs > pass.validUntilMs) return ["expired_pass"];
  // Home observation keeps a resident in, not out: coming in through an `in` gate is fine.
  if (pass.observationUntilMs !== null && nowMs < pass.observationUntilMs && direction !== "in")
    return ["observation"];
  return [];
}

export function decide(
  reasons: readonly PassageReason[],
  enforcement: Enforcement,
): PassageDecision {
  if (enforcement === "hard") return reasons.length === 0 ? "allow" : "deny";
  return reasons.some((reason) => ALWAYS_DENYING.has(reason)) ? "deny" : "allow";
}

export interface PassageInput {
  mode: CheckpointMode;
  enforcement: Enforcement;
  direction: CheckpointDirection;
  /** The reading's status, or null when the passage has no reading. */
  readingStatus: ReadingStatus | null;
  /** The scanned pass: null when there was no scan; `pass` undefined when it is not registered. */
  scan: { pass: PassFacts | undefined } | null;
  nowMs: number;
}

/** The decision and its reasons, in SPEC order, for one passage. */
export function decidePassage(input: PassageInput): {
  decision: PassageDecision;
  reasons: PassageReason[];
} {
  const reasons: PassageReason[] = [];
  const fromReading = input.readingStatus === null ? [] : temperatureReasons(input.readingStatus);
  const fromPass =
    input.scan === null ? [] : passReasons(input.scan.pass, input.nowMs, input.direction);
  switch (input.mode) {
    case "temperature_only":
      // A pass shown here is recorded with the passage but does not change its decision.
      reasons.push(...fromReading);
      break;
    case "pass_only":
      reasons.push(...fromPass);
      break;
    case "pass_and_temperature":
      reasons.push(...fromReading, ...fromPass);
      if (input.scan === null) reasons.push("no_pass");
      if (input.readingStatus === null) reasons.push("no_temperature");
      break;
  }
  return { decision: decide(reasons, input.enforcement), reasons };
}
