/**
 * What a frame decoder returns: a frame, or why the bytes are not one. Decoders never throw:
 * garbage on a serial line is normal, and one bad frame must never stop the stream.
 */
export type DropReason = "checksum" | "malformed" | "garbage" | "overflow" | "no_match";

export type Decoded<F> = { ok: true; frame: F } | { ok: false; reason: DropReason; detail: string };

export function dropped<F>(reason: DropReason, detail: string): Decoded<F> {
  return { ok: false, reason, detail };
}

/** Emitted by every parser for bytes it threw away, so drivers can count and log them. */
export interface FrameDrop {
  reason: DropReason;
  detail: string;
  bytes: number;
}

export const DROP_EVENT = "drop";
