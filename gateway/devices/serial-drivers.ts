import type { SerialDeviceConfig } from "../config/schema.js";
import { gy90614Driver } from "./gy-mcu90614/driver.js";
import { qrLineDriver } from "./qr-line/driver.js";
import { rdm6300Driver } from "./rdm6300/driver.js";
import type { DriverContext, SerialDriver } from "./serial-driver.js";
import { textLineDriver } from "./text-line/driver.js";

/** The driver of a serial device's protocol; the config's type follows the protocol. */
export function serialDriver(config: SerialDeviceConfig, ctx: DriverContext): SerialDriver {
  switch (config.protocol) {
    case "gy-mcu90614":
      return gy90614Driver(config, ctx);
    case "text-line":
      return textLineDriver(config, ctx);
    case "rdm6300":
      return rdm6300Driver(config, ctx);
    case "qr-line":
      return qrLineDriver(config, ctx);
  }
}
