import pino from "pino";

export type Logger = pino.Logger;

/**
 * Structured logs, one JSON line each, with a namespace per component (`gw:mqtt`). Health
 * data and whole pass numbers are never logged at info level.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function childLogger(parent: Logger, ns: string): Logger {
  return parent.child({ ns: `gw:${ns}` });
}

/** What went wrong, in words: an Error's message, or whatever was thrown as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
