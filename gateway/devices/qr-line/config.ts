import { z } from "zod";
import { debounceField, kindOf } from "../config-fields.js";
import { serialFields } from "../device-fields.js";
import { DEFAULT_IDLE_MS } from "./constants.js";

/** The config of a QR/barcode scanner sending a line per code (docs/contract.md#devices-on-serial-ports): its own fields. */
export const qrLineConfig = {
  protocol: z
    .literal("qr-line")
    .describe("Serial wire protocol (docs/contract.md#devices-on-serial-ports)."),
  kind: kindOf("pass_reader", "qr-line"),
  debounce_s: debounceField,
  idle_ms: z
    .number()
    .int()
    .min(10)
    .max(5000)
    .default(DEFAULT_IDLE_MS)
    .describe("qr-line: a pause this long ends a code sent without a suffix."),
};

/** The whole config of a qr-line device: what every such device has, and the fields above. */
export const qrLineSchema = z.strictObject({ ...serialFields, ...qrLineConfig });
export type QrLineConfig = z.output<typeof qrLineSchema>;
