import { EventEmitter } from "node:events";
import type { StoredEvent } from "./store/journal.js";

/**
 * The typed event bus: the only channel between components (STYLE 2). Each component that
 * listens registers with `on()` in `start()` and removes its own listeners in `stop()`.
 */
export interface GatewayEvents {
  /** An event was committed to the journal: live push and upstream take it from here. */
  stored: [event: StoredEvent];
  /** A device proved it is alive (a message, a frame, a connection). */
  deviceSeen: [deviceId: string, tsMs: number];
}

export class EventBus extends EventEmitter<GatewayEvents> {
  constructor() {
    super();
    // One listener per component; more than this would mean a leak.
    this.setMaxListeners(20);
  }
}
