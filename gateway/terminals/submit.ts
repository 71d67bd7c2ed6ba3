import type { TerminalEvent } from "../devices/terminal-event.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { DeviceClock } from "../pipeline/device-clock.js";
import type { Ingest } from "../pipeline/ingest.js";

/** A terminal event committed (`seq` its reading's, else its scan's; null for a repeat), or not. */
export type Submitted = { error: Error } | { error: null; seq: number | null };

/**
 * Queues one terminal event (its reading and its card or face together, one transaction);
 * resolves once it is committed, or with the error. The posted events and the gap fill's both
 * come here.
 */
export function submitTerminalEvent(
  ctx: { ingest: Ingest; clock: DeviceClock },
  deviceId: string,
  event: TerminalEvent,
): Promise<Submitted> {
  const time = ctx.clock.timeOf(deviceId, event.tsMs ?? undefined);
  // The serial number and the event's own time: a resend repeats both (stored once), while a
  // terminal whose counter starts again (a reset, a replacement) makes new ones, never dropped.
  const msgId =
    event.serial === null
      ? null
      : `sn:${event.serial}${event.tsMs === null ? "" : `@${event.tsMs}`}`;
  const reading: ReadingInput | null =
    event.tempC === null
      ? null
      : {
          device_id: deviceId,
          raw_c: event.tempC,
          ambient_c: null,
          ...time,
          msg_id: msgId,
          terminal_verdict: event.verdict,
        };
  const scan: ScanInput | null =
    event.passId === null
      ? null
      : {
          device_id: deviceId,
          pass_id: event.passId,
          method: event.method ?? "card",
          ...time,
          msg_id: msgId,
        };
  return new Promise((resolve) =>
    ctx.ingest.submitTerminalEvent(deviceId, reading, scan, (error, events) => {
      if (error) {
        resolve({ error });
        return;
      }
      const stored =
        events?.find((e) => e.kind === "reading_stored") ??
        events?.find((e) => e.kind === "scan_stored");
      resolve({ error: null, seq: stored?.seq ?? null });
    }),
  );
}
