import type { DomainEvent } from "./domain/events.js";

/** Takes one committed domain event; it may throw, which stops nothing (see EventBus). */
export type EventListener = (event: DomainEvent) => void;

/** Told when a listener threw: the composition root logs it and counts it. */
export type ListenerFailure = (listener: string, event: DomainEvent, error: unknown) => void;

/**
 * The bus of committed domain events: the only channel from the write path to the components
 * that react (live push, upstream, event topics, doors; STYLE 2). Events are published only
 * after their transaction committed and after the devices were acknowledged, so a listener can
 * never hold back an acknowledgement. Every listener is isolated: one that throws is reported
 * (logged, counted) and the others still get the event, and the publisher never sees the throw
 * (on a timer or `setImmediate` it would otherwise end the process).
 */
export class EventBus {
  private readonly listeners = new Map<string, EventListener>();

  constructor(private readonly failed: ListenerFailure = () => {}) {}

  /** Adds a named listener (in `start()`); the name says who failed in the log. */
  subscribe(name: string, listener: EventListener): void {
    if (this.listeners.has(name)) throw new Error(`bus listener '${name}' is already subscribed`);
    this.listeners.set(name, listener);
  }

  /** Removes a listener (in `stop()`). */
  unsubscribe(name: string): void {
    this.listeners.delete(name);
  }

  /** Hands each event, in order, to every listener. Never throws. */
  publish(events: readonly DomainEvent[]): void {
    for (const event of events) {
      for (const [name, listener] of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          try {
            this.failed(name, event, error);
          } catch {
            // A failing reporter must not stop the others either.
          }
        }
      }
    }
  }
}
