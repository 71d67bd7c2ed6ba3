import { z } from "zod";
import { debounceField, kindOf } from "../config-fields.js";
import { serialFields } from "../device-fields.js";

/** The config of an RDM6300 125 kHz card reader (docs/contract.md#devices-on-serial-ports): its own fields. */
export const rdm6300Config = {
  protocol: z
    .literal("rdm6300")
    .describe("Serial wire protocol (docs/contract.md#devices-on-serial-ports)."),
  kind: kindOf("pass_reader", "rdm6300"),
  debounce_s: debounceField,
};

/** The whole config of a rdm6300 device: what every such device has, and the fields above. */
export const rdm6300Schema = z.strictObject({ ...serialFields, ...rdm6300Config });
export type Rdm6300Config = z.output<typeof rdm6300Schema>;
