import { z } from "zod";
import { terminalFields } from "../device-fields.js";

/** A Hikvision terminal (MinMoe and others) posting ISAPI event notifications (docs/contract.md#network-terminals-over-http). */
export const hikvisionConfig = {
  protocol: z
    .literal("hikvision-isapi")
    .describe("Network protocol (docs/contract.md#network-terminals-over-http)."),
  isapi_url: z
    .url()
    .optional()
    .describe(
      "hikvision-isapi: the terminal's own address (http://10.0.0.21), to fetch events it could not deliver.",
    ),
  isapi_username: z
    .string()
    .optional()
    .describe("hikvision-isapi: the account on the terminal for isapi_url (Digest)."),
  isapi_password: z.string().optional().describe("hikvision-isapi: its password."),
  gap_fill_max_events: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe(
      "hikvision-isapi: the most missed events fetched for one gap; a larger serialNo jump (or a search that does not end) is one terminal_gap alert instead.",
    ),
};

/** The whole config of a hikvision-isapi device: what every such device has, and the fields above. */
export const hikvisionSchema = z.strictObject({ ...terminalFields, ...hikvisionConfig });
export type HikvisionConfig = z.output<typeof hikvisionSchema>;
