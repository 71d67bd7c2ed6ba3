import { upstreamPayload, upstreamRoute } from "../../common/upstream-routes.js";
import type { DomainEvent } from "../domain/events.js";
import { type DistrictPersonalData, forDistrict } from "../domain/masking.js";
import type { InTransaction } from "../pipeline/ingest.js";
import type { OutboxRepository } from "../store/outbox.js";

/**
 * Queues what goes upstream in the outbox, inside the transaction that stores the events
 * (docs/contract.md#upstream-the-district), so an event and its outbox row are committed together or not at all. Each payload
 * is serialised once, here, with only the personal data `upstream.personal_data` sends.
 */
export function queueUpstream(
  outbox: OutboxRepository,
  forwardReadings: boolean,
  personal: DistrictPersonalData = "masked",
): InTransaction {
  return (events: readonly DomainEvent[], nowMs: number) => {
    for (const event of events) {
      const route = upstreamRoute(event, forwardReadings);
      if (route)
        outbox.add(
          event.seq,
          route.kind,
          route.priority,
          forDistrict(upstreamPayload(event), personal),
          nowMs,
        );
    }
  };
}
