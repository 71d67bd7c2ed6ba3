import type { Logger } from "../../common/log.js";
import { deviceTimeOrNow } from "../../common/time.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "./devices.js";

/** A message's time as stored: the device's, or the gateway's with the device's kept beside it. */
export interface MessageTime {
  ts_ms: number;
  device_ts_ms: number | null;
}

/**
 * The clock policy for every transport (MQTT devices, network terminals, their gap fill): a
 * message's time is the device's if its clock is near enough (`ingest.max_clock_skew_s`), else
 * the gateway's, with the device's kept, its skew in health and said once.
 */
export class DeviceClock {
  constructor(
    private readonly ctx: {
      devices: DeviceRegistry;
      metrics: Metrics;
      log: Logger;
      /** A device time further than this from the gateway's is not used. */
      maxClockSkewMs: number;
    },
  ) {}

  timeOf(deviceId: string, deviceTs: number | undefined): MessageTime {
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
}
