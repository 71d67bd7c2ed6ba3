/**
 * When a run of `low` readings needs a guard (docs/contract.md#screening-and-decisions `low_retest`), as pure functions: the
 * same pass reading low `samePassCount` times within `windowMs`, or a checkpoint without
 * passes reading low `inARow` times in a row. Cold arrivals read low once and are fine after
 * waiting; repeated lows mean the person or the thermometer needs looking at.
 */

export interface LowRetestRule {
  windowMs: number;
  samePassCount: number;
  inARow: number;
}

/** Times of recent lows per pass; returns whether this low completes a run (and resets it). */
export function lowForPass(
  lows: ReadonlyMap<string, readonly number[]>,
  passId: string,
  nowMs: number,
  rule: LowRetestRule,
): { lows: Map<string, readonly number[]>; alert: boolean } {
  const next = new Map<string, readonly number[]>();
  for (const [id, times] of lows) {
    const recent = times.filter((t) => nowMs - t <= rule.windowMs);
    if (recent.length > 0) next.set(id, recent);
  }
  const times = [...(next.get(passId) ?? []), nowMs];
  if (times.length >= rule.samePassCount) {
    next.delete(passId);
    return { lows: next, alert: true };
  }
  next.set(passId, times);
  return { lows: next, alert: false };
}

/** Lows in a row at a checkpoint; any other reading breaks the run. */
export function lowInARow(
  count: number,
  isLow: boolean,
  rule: LowRetestRule,
): { count: number; alert: boolean } {
  if (!isLow) return { count: 0, alert: false };
  const next = count + 1;
  return next >= rule.inARow ? { count: 0, alert: true } : { count: next, alert: false };
}
