import { z } from "zod";
import { kindOf } from "../config-fields.js";
import { serialFields } from "../device-fields.js";
import { DEFAULT_PATTERN } from "./constants.js";
import { compilePattern } from "./frame.js";

/** The config of a thermometer that prints a line per reading (docs/contract.md#devices-on-serial-ports): its own fields. */
export const textLineConfig = {
  protocol: z
    .literal("text-line")
    .describe("Serial wire protocol (docs/contract.md#devices-on-serial-ports)."),
  kind: kindOf("thermometer", "text-line"),
  pattern: z
    .string()
    .default(DEFAULT_PATTERN)
    .refine(isTemperaturePattern, "must be a regular expression with a named group (?<temp>...)")
    .describe("text-line: the regular expression that finds the temperature in a line."),
};

function isTemperaturePattern(source: string): boolean {
  try {
    compilePattern(source);
    return true;
  } catch {
    return false;
  }
}

/** The whole config of a text-line device: what every such device has, and the fields above. */
export const textLineSchema = z.strictObject({ ...serialFields, ...textLineConfig });
export type TextLineConfig = z.output<typeof textLineSchema>;
