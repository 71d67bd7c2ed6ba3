/**
 * One scan per card presentation (pure). A card reader repeats its frame for as long as the
 * card is held (RDM6300: about every 100 ms), and a scanner may read the same code twice: the
 * same pass seen again within `windowMs` of when it was last seen is the same presentation.
 */
export type SeenPasses = ReadonlyMap<string, number>;

export function debounceScan(
  seen: SeenPasses,
  passId: string,
  nowMs: number,
  windowMs: number,
): { seen: SeenPasses; isNewScan: boolean } {
  const last = seen.get(passId);
  const isNewScan = last === undefined || nowMs - last > windowMs;
  const next = new Map<string, number>();
  // Forget passes not seen for a window, so the map stays as small as the queue at the gate.
  for (const [id, at] of seen) if (nowMs - at <= windowMs) next.set(id, at);
  next.set(passId, nowMs);
  return { seen: next, isNewScan };
}
