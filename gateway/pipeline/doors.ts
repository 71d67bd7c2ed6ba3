import type { Passage } from "../domain/types.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import { type DoorCommand, deviceTopic } from "../mqtt/contract.js";
import type { StoredEvent } from "../store/journal.js";
import type { DeviceRegistry } from "./devices.js";

export interface DoorContext {
  bus: EventBus;
  devices: DeviceRegistry;
  log: Logger;
  publish(topic: string, payload: string): Promise<void>;
}

/**
 * The door output: on every allowed passage at a checkpoint with a door controller, tells the
 * controller to open (`checkpoint/devices/<door>/command`, QoS 1). A denied passage opens
 * nothing; the guard decides by hand.
 */
export class DoorOpener {
  private readonly onStored = (event: StoredEvent) => this.take(event);

  constructor(private readonly ctx: DoorContext) {}

  start(): void {
    this.ctx.bus.on("stored", this.onStored);
  }

  stop(): void {
    this.ctx.bus.off("stored", this.onStored);
  }

  private take(event: StoredEvent): void {
    if (event.type !== "passage") return;
    const passage = event.message.data as Passage;
    const door = this.ctx.devices.checkpoint(passage.checkpoint_id)?.door;
    if (passage.decision !== "allow" || door === undefined) return;
    const command: DoorCommand = {
      action: "open",
      passage_id: passage.id,
      checkpoint_id: passage.checkpoint_id,
    };
    this.ctx
      .publish(deviceTopic(door, "command"), JSON.stringify(command))
      .catch((error: unknown) => {
        this.ctx.log.error(
          { door, passage: passage.id, err: (error as Error).message },
          `door ${door} could not be told to open`,
        );
      });
  }
}
