import { type Logger, messageOf } from "../../common/log.js";
import type { EventBus, EventOf } from "../events.js";
import { type DoorCommand, deviceTopic } from "../mqtt/contract.js";
import type { DeviceRegistry } from "../pipeline/devices.js";

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
  constructor(private readonly ctx: DoorContext) {}

  start(): void {
    this.ctx.bus.subscribe("passage_decided", "doors", (event) => this.take(event));
  }

  stop(): void {
    this.ctx.bus.removeListeners("doors");
  }

  private take({ passage }: EventOf<"passage_decided">): void {
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
          { door, passage: passage.id, err: messageOf(error) },
          `door ${door} could not be told to open`,
        );
      });
  }
}
