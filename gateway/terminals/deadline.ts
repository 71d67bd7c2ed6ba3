/**
 * Runs a request under a deadline and a stop signal: whichever comes first aborts it, with a
 * reason that says which. Written out rather than `AbortSignal.any([stop, AbortSignal.timeout(ms)])`:
 * there the timeout's signal is held only weakly, and once garbage-collected it never fires
 * (seen in a gateway process on Node 20: a search that never got an answer was never timed out).
 */
export async function withDeadline<T>(
  stop: AbortSignal,
  ms: number,
  request: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener("abort", onStop, { once: true });
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${ms / 1000} s`)),
    ms,
  );
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", onStop);
  }
}
