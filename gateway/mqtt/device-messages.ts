import type { z } from "zod";
import type { Logger } from "../../common/log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceClock } from "../pipeline/device-clock.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Committed, Ingest } from "../pipeline/ingest.js";
import {
  type DeviceMessageKind,
  scanPayloadSchema,
  statusPayloadSchema,
  temperaturePayloadSchema,
} from "./contract.js";

export interface DeviceMessageContext {
  devices: DeviceRegistry;
  ingest: Ingest;
  metrics: Metrics;
  log: Logger;
  /** Whose time a message has (pipeline/device-clock.ts). */
  clock: DeviceClock;
}

/**
 * Turns a device's MQTT message into a domain input for the ingest pipeline. A malformed
 * payload is counted, logged in one line with the device id and acknowledged (dropped): the
 * device stays connected, and one bad message never stops the stream.
 */
export class DeviceMessageHandler {
  constructor(private readonly ctx: DeviceMessageContext) {}

  handle(deviceId: string, kind: DeviceMessageKind, payload: Buffer, committed: Committed): void {
    const device = this.ctx.devices.device(deviceId);
    if (!device) {
      committed(new Error(`unknown device '${deviceId}'`));
      return;
    }
    switch (kind) {
      case "temperature": {
        if (device.kind !== "thermometer") {
          this.drop(
            deviceId,
            "wrong_kind",
            `a ${device.kind} cannot publish temperature`,
            committed,
          );
          return;
        }
        const message = this.parse(deviceId, payload, temperaturePayloadSchema, committed);
        if (!message) return;
        this.ctx.ingest.submitReading(
          {
            device_id: deviceId,
            raw_c: message.temp_c,
            ambient_c: message.ambient_c ?? null,
            ...this.ctx.clock.timeOf(deviceId, message.ts),
            msg_id: message.msg_id ?? null,
          },
          committed,
        );
        return;
      }
      case "status": {
        const message = this.parse(deviceId, payload, statusPayloadSchema, committed);
        if (!message) return;
        this.ctx.ingest.setDeviceOnline(
          deviceId,
          message.online,
          message.online ? "status" : "last will or status",
        );
        committed(null);
        return;
      }
      case "scan": {
        if (device.kind !== "pass_reader") {
          this.drop(deviceId, "wrong_kind", `a ${device.kind} cannot publish scans`, committed);
          return;
        }
        const message = this.parse(deviceId, payload, scanPayloadSchema, committed);
        if (!message) return;
        this.ctx.ingest.submitScan(
          {
            device_id: deviceId,
            pass_id: message.pass_id,
            method: message.method,
            ...this.ctx.clock.timeOf(deviceId, message.ts),
            msg_id: message.msg_id ?? null,
          },
          committed,
        );
        return;
      }
      case "command":
        this.drop(
          deviceId,
          "wrong_direction",
          "devices receive commands, they do not send them",
          committed,
        );
        return;
    }
  }

  private parse<S extends z.ZodType>(
    deviceId: string,
    payload: Buffer,
    schema: S,
    committed: Committed,
  ): z.output<S> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString("utf8"));
    } catch {
      this.drop(deviceId, "not_json", "payload is not JSON", committed);
      return undefined;
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      this.drop(deviceId, "invalid", `${where}${issue?.message ?? "invalid payload"}`, committed);
      return undefined;
    }
    return result.data;
  }

  private drop(deviceId: string, reason: string, detail: string, committed: Committed): void {
    this.ctx.metrics.badPayloads.inc({ device: deviceId, reason });
    this.ctx.log.warn({ device: deviceId, reason }, `bad payload from ${deviceId}: ${detail}`);
    committed(null);
  }
}
