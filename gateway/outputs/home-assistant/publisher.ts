import type { Logger } from "../../../common/log.js";
import { startOfDayMs } from "../../../common/time.js";
import type { DomainEvent } from "../../domain/events.js";
import type { EventBus } from "../../events.js";
import { ALL_EVENTS } from "../../events.js";
import type { Store } from "../../store/store.js";
import { birthTopic, type DiscoverySite, discoveryMessages, haTopics } from "./discovery.js";

export interface HomeAssistantContext {
  site: DiscoverySite;
  timeZone: string;
  bus: EventBus;
  store: Store;
  /** Publishes on the gateway's broker (embedded or the site's own), QoS 1. */
  publish: (topic: string, payload: string, retain: boolean) => Promise<void>;
  log: Logger;
  /** How long state updates are gathered before they go out (a busy gate reads many a second). */
  coalesceMs?: number;
}

/**
 * Home Assistant on the gateway's broker (docs/contract.md#configuration `home_assistant`): announces every entity
 * (retained discovery configs), says the gateway is online (retained availability; offline when
 * it stops), keeps the states current from the domain events, and announces again when Home
 * Assistant says it has (re)started (its birth message, `<prefix>/status` = `online`). A state
 * that changes many times a second goes out at most once per `coalesceMs`, the latest value.
 */
export class HomeAssistantPublisher {
  private readonly topics: ReturnType<typeof haTopics>;
  private readonly due = new Map<string, () => string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: HomeAssistantContext) {
    this.topics = haTopics(ctx.site.gatewayId);
  }

  /** Announces without waiting: a site's own broker that is down must not hold the start up. */
  start(): void {
    void this.announce();
    this.ctx.bus.subscribe(ALL_EVENTS, "home assistant", (event) => this.onEvent(event));
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeListeners("home assistant");
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    // Bounded: a broker that is gone cannot hold the stop up.
    await Promise.race([
      this.send(this.topics.availability, "offline", true),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  }

  /** A message on a topic the gateway listens to for Home Assistant; true if it was one. */
  heard(topic: string, payload: string): boolean {
    if (topic !== birthTopic(this.ctx.site.discoveryPrefix)) return false;
    if (payload.trim() === "online") void this.announce();
    return true;
  }

  /** Every entity, the gateway online, and every state as it is now. */
  private async announce(): Promise<void> {
    for (const message of discoveryMessages(this.ctx.site))
      await this.send(message.topic, message.payload, true);
    await this.send(this.topics.availability, "online", true);
    for (const checkpoint of this.ctx.site.checkpoints) {
      this.later(this.topics.fever(checkpoint.id), () => this.feverState(checkpoint.id));
      this.scheduleCounts();
    }
    this.flush();
  }

  private onEvent(event: DomainEvent): void {
    switch (event.kind) {
      case "reading_stored": {
        const { reading } = event;
        if (reading.status === "invalid") return;
        this.later(this.topics.temperature(reading.device_id), () => reading.temp_c.toFixed(1));
        return;
      }
      case "scan_stored":
        // A tag is an event, not a state: each scan goes out as it comes, not retained.
        void this.send(this.topics.tag(event.scan.device_id), event.scan.pass_id, false);
        return;
      case "passage_decided":
        this.scheduleCounts();
        return;
      case "alert_opened":
      case "alert_changed": {
        const checkpoint = event.change.checkpoint_id;
        if (event.change.kind === "fever" && checkpoint !== null)
          this.later(this.topics.fever(checkpoint), () => this.feverState(checkpoint));
        return;
      }
      case "device_status_changed":
        return;
    }
  }

  private feverState(checkpointId: string): string {
    return this.ctx.store.alerts.active(checkpointId).some((a) => a.kind === "fever")
      ? "ON"
      : "OFF";
  }

  private scheduleCounts(): void {
    for (const checkpoint of this.ctx.site.checkpoints)
      for (const what of ["passages", "fevers"] as const)
        this.later(this.topics.count(checkpoint.id, what), () => {
          const counts = this.ctx.store.countsSince(startOfDayMs(Date.now(), this.ctx.timeZone));
          return String(counts.find((c) => c.checkpoint_id === checkpoint.id)?.[what] ?? 0);
        });
  }

  /** A retained state to send at the next flush (the latest value wins). */
  private later(topic: string, value: () => string): void {
    this.due.set(topic, value);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.ctx.coalesceMs ?? 1000);
  }

  private flush(): void {
    const due = [...this.due];
    this.due.clear();
    for (const [topic, value] of due) void this.send(topic, value(), true);
  }

  private send(topic: string, payload: string, retain: boolean): Promise<void> {
    return this.ctx.publish(topic, payload, retain).catch((error: Error) => {
      this.ctx.log.warn(
        { err: error.message, topic },
        `Home Assistant: publishing ${topic} failed`,
      );
    });
  }
}
