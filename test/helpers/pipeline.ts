import type { EventBus } from "../../gateway/events.js";
import { ALL_EVENTS } from "../../gateway/events.js";
import { liveMessage } from "../../gateway/live/messages.js";
import type { LiveEventMessage } from "../../gateway/live/protocol.js";
import type { Ingest, InTransaction } from "../../gateway/pipeline/ingest.js";
import { createWritePath } from "../../gateway/pipeline/write-path.js";

/** The write path as the gateway composes it, for tests that drive it without a gateway. */
export function createIngest(
  parts: Parameters<typeof createWritePath>[0] & { inTransaction?: InTransaction[] },
): Ingest {
  const ingest = createWritePath(parts);
  for (const step of parts.inTransaction ?? []) ingest.duringEachCommit(step);
  return ingest;
}

/** Collects every published event as the live message a guard would get. */
export function collectLive(bus: EventBus, name = "test"): LiveEventMessage[] {
  const messages: LiveEventMessage[] = [];
  bus.subscribe(ALL_EVENTS, name, (event) => void messages.push(liveMessage(event)));
  return messages;
}
