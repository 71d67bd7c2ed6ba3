import { upstreamPayload, upstreamRoute } from "../../common/upstream-routes.js";
import type { DomainEvent } from "../domain/events.js";
import type { EventBus } from "../events.js";
import { ALL_EVENTS } from "../events.js";
import { gatewayEventTopic } from "../mqtt/contract.js";

export interface EventTopicsContext {
  bus: EventBus;
  gatewayId: string;
  /** Publishes on the broker at QoS 0, not retained (a live feed). */
  publish: (topic: string, payload: string) => void;
  /** Whether an integration is connected; nobody listening means nothing to send. */
  hasListeners: () => boolean;
}

/**
 * The gateway's own events for local integrations (docs/contract.md#devices-over-mqtt): every stored event under
 * `checkpoint/gateway/<gateway_id>/events/<kind>`, QoS 0, not retained, the payload the event as the
 * district receives it. Kinds are the upstream ones: reading, scan, passage, alert (every
 * change), device_status. Only sent while an integration is connected (the topics are not
 * retained, so nobody could read them later), which keeps the cost off an ordinary gate.
 */
export class EventTopicPublisher {
  constructor(private readonly ctx: EventTopicsContext) {}

  start(): void {
    this.ctx.bus.subscribe(ALL_EVENTS, "event topics", (event) => this.publish(event));
  }

  stop(): void {
    this.ctx.bus.removeListeners("event topics");
  }

  private publish(event: DomainEvent): void {
    if (!this.ctx.hasListeners()) return;
    const route = upstreamRoute(event, true);
    if (!route) return;
    this.ctx.publish(
      gatewayEventTopic(this.ctx.gatewayId, route.kind),
      JSON.stringify(upstreamPayload(event)),
    );
  }
}
