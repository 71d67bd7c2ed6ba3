import { z } from "zod";
import { debounceField, kindOf } from "../config-fields.js";

/** The config of an RDM6300 125 kHz card reader (SPEC 3): its own fields. */
export const rdm6300Config = {
  protocol: z.literal("rdm6300").describe("Serial wire protocol (SPEC 3)."),
  kind: kindOf("pass_reader", "rdm6300"),
  debounce_s: debounceField,
};
