import { z } from "zod";
import { kindOf } from "../config-fields.js";
import { serialFields } from "../device-fields.js";

/** The config of a GY-MCU90614 infrared thermometer module (docs/contract.md#devices-on-serial-ports): its own fields. */
export const gy90614Config = {
  protocol: z
    .literal("gy-mcu90614")
    .describe("Serial wire protocol (docs/contract.md#devices-on-serial-ports)."),
  kind: kindOf("thermometer", "gy-mcu90614"),
  read_mode: z
    .enum(["continuous", "poll"])
    .default("continuous")
    .describe("gy-mcu90614: ask the module for continuous output on open, or poll it."),
  poll_interval_ms: z
    .number()
    .int()
    .min(50)
    .max(60000)
    .default(200)
    .describe("gy-mcu90614 in poll mode: ms between read commands."),
  presence_above_c: z
    .number()
    .min(0)
    .max(45)
    .default(30)
    .describe(
      "gy-mcu90614: an object temperature at or above this means a person is in front of the sensor.",
    ),
  presence_max_ms: z
    .number()
    .int()
    .min(100)
    .max(60000)
    .default(1500)
    .describe(
      "gy-mcu90614: a person still in front after this long is reported without waiting for them to leave.",
    ),
};

/** The whole config of a gy-mcu90614 device: what every such device has, and the fields above. */
export const gy90614Schema = z.strictObject({ ...serialFields, ...gy90614Config });
export type Gy90614Config = z.output<typeof gy90614Schema>;
