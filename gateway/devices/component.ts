import type { ComponentFactory } from "../core.js";
import { SerialDevices } from "./serial-device.js";
import { openSerialPort } from "./serial-link.js";

/** The serial devices (thermometers and readers on a port), started last, stopped first. */
export const serialComponent: ComponentFactory = (core) => {
  const serial = new SerialDevices(core.config.devices, {
    ingest: core.ingest,
    devices: core.devices,
    metrics: core.metrics,
    log: core.logger("serial"),
    openPort: core.options.openPort ?? openSerialPort,
  });
  return { name: "serial devices", start: () => serial.start(), stop: () => serial.stop() };
};
