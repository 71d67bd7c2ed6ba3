import type { TerminalNotification, TerminalProblem } from "./terminal-event.js";

/**
 * What each network terminal protocol folder provides (docs/contract.md#network-terminals-over-http): where its terminals post
 * (`/ingest/<path>/<device_id>`), and its parse step, from a notification's JSON text to what it
 * says (pure). The HTTP steps around it (authorize, read, submit, answer) are the terminals'.
 */
export interface TerminalProtocol {
  /** The path segment the terminals post to. */
  readonly path: string;
  /** The config's `protocol` of such a terminal. */
  readonly protocol: string;
  parse(text: string): (TerminalNotification | TerminalProblem)[];
}
