import { DOMAIN_EVENT_KINDS, type DomainEvent, type DomainEventKind } from "./domain/events.js";

/** The event of one kind, narrowed: what a listener of that kind is handed. */
export type EventOf<K extends DomainEventKind> = Extract<DomainEvent, { kind: K }>;

/** Takes one committed domain event; it may throw or reject, which stops nothing (see EventBus). */
export type EventListener<K extends DomainEventKind = DomainEventKind> = (
  event: EventOf<K>,
) => void | Promise<void>;

/** Told when a listener threw or rejected: the composition root logs it and counts it. */
export type ListenerFailure = (listener: string, event: DomainEvent, error: unknown) => void;

/** Removes the one subscription it was returned for. */
export type Unsubscribe = () => void;

interface Subscription {
  owner: string;
  listener: (event: DomainEvent) => void | Promise<void>;
}

/** Every kind: for a listener that takes all of them (live push, the outbox's pump). */
export const ALL_EVENTS = DOMAIN_EVENT_KINDS;

/**
 * The bus of committed domain events: the only channel from the write path to the components
 * that react (live push, upstream, event topics, doors, Home Assistant). Modelled on
 * Zigbee2MQTT's `lib/eventBus.ts`: a listener subscribes to the kinds it takes under its
 * owner's name, typed per kind, and the owner removes all of its listeners at once on stop.
 *
 * Events are published only after their transaction committed and after the devices were
 * acknowledged, so a listener can never hold back an acknowledgement. Every listener is
 * isolated: one that throws, or whose promise rejects, is reported (logged, counted) and the
 * others still get the event; the publisher never sees it (on a timer or `setImmediate` it
 * would otherwise end the process).
 */
export class EventBus {
  private readonly byKind = new Map<DomainEventKind, Subscription[]>();

  constructor(private readonly failed: ListenerFailure = () => {}) {}

  /**
   * Adds `owner`'s listener for the given kinds (in `start()`); the owner's name says who failed
   * in the log. Returns the disposer of this one subscription.
   */
  subscribe<K extends DomainEventKind>(
    kinds: K | readonly K[],
    owner: string,
    listener: EventListener<K>,
  ): Unsubscribe {
    // The bus hands a listener only events of its kinds, so the widening is safe.
    const subscription: Subscription = {
      owner,
      listener: listener as (event: DomainEvent) => void | Promise<void>,
    };
    const list: readonly K[] = typeof kinds === "string" ? [kinds] : kinds;
    for (const kind of list) {
      const subscriptions = this.byKind.get(kind) ?? [];
      subscriptions.push(subscription);
      this.byKind.set(kind, subscriptions);
    }
    return () => {
      for (const kind of list) {
        const subscriptions = this.byKind.get(kind);
        if (subscriptions)
          this.byKind.set(
            kind,
            subscriptions.filter((s) => s !== subscription),
          );
      }
    };
  }

  /** Removes every listener `owner` added (in `stop()`). */
  removeListeners(owner: string): void {
    for (const [kind, subscriptions] of this.byKind)
      this.byKind.set(
        kind,
        subscriptions.filter((s) => s.owner !== owner),
      );
  }

  /** Hands each event, in order, to every listener of its kind. Never throws, never rejects. */
  publish(events: readonly DomainEvent[]): void {
    for (const event of events) {
      for (const { owner, listener } of this.byKind.get(event.kind) ?? []) {
        try {
          const result = listener(event);
          if (result instanceof Promise)
            result.catch((error: unknown) => this.report(owner, event, error));
        } catch (error) {
          this.report(owner, event, error);
        }
      }
    }
  }

  private report(owner: string, event: DomainEvent, error: unknown): void {
    try {
      this.failed(owner, event, error);
    } catch {
      // A failing reporter must not stop the others either.
    }
  }
}
