import type { OutboxRow } from "../store/outbox.js";

/** What a link tells the forwarder about itself. */
export interface LinkEvents {
  /** Events can be sent now. */
  up(): void;
  /** They cannot: the link is closed and the forwarder will open it again after a backoff. */
  down(reason: string): void;
  /** Something went wrong that does not (yet) close the link, for health's `last_error`. */
  error(message: string): void;
}

/**
 * How events leave for the district (docs/contract.md#upstream-the-district): an MQTT broker or an HTTPS webhook. The forwarder
 * owns the outbox, the lanes, the pacing and the retries; a link only opens, sends one row
 * and says whether it was acknowledged.
 */
export interface UpstreamLink {
  /** Where it goes, for log lines (no credentials). */
  readonly target: string;
  open(events: LinkEvents): void;
  /** Sends one row; `done(null)` once the far end acknowledged it, else `done(error)`. */
  send(row: OutboxRow, done: (error: Error | null) => void): void;
  /** Tells the district how far behind the outbox is (a link with a status of its own). */
  reportQueue?(queue: { queue_depth: number; oldest_age_s: number | null }): void;
  close(): Promise<void>;
}
