import type { z } from "zod";
import { deviceTimeOrNow } from "../domain/time.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
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
  /** A device time further than this from the gateway's is not used (`ingest.max_clock_skew_s`). */
  maxClockSkewMs: number;
}

/**
 * Turns a device's MQTT message into a domain input for the ingest pipeline. A malformed
 * payload is counted, logged in one line with the device id and acknowledged (dropped): the
 * device stays connected, and one bad message never stops the stream (STYLE 9).
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
            ...this.timeOf(deviceId, message.ts),
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
            ...this.timeOf(deviceId, message.ts),
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

  /**
   * A message's time: the device's if its clock is near enough, else the gateway's (the device's
   * kept, its skew in health, said once). Network terminals' events use it too.
   */
  timeOf(deviceId: string, deviceTs: number | undefined) {
    const nowMs = Date.now();
    const { tsMs, deviceTsMs } = deviceTimeOrNow(deviceTs, nowMs, this.ctx.maxClockSkewMs);
    if (deviceTsMs === null) {
      if (deviceTs !== undefined) this.ctx.devices.setClockSkew(deviceId, null);
    } else {
      this.ctx.metrics.clockSkewed.inc({ device: deviceId });
      if (this.ctx.devices.setClockSkew(deviceId, deviceTsMs - nowMs))
        this.ctx.log.warn(
          { device: deviceId, skew_s: Math.round((deviceTsMs - nowMs) / 1000) },
          `device ${deviceId}'s clock is off by more than ingest.max_clock_skew_s: its messages are stored with the gateway's time until it is fixed`,
        );
    }
    return { ts_ms: tsMs, device_ts_ms: deviceTsMs };
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
