import { z } from "zod";
import { terminalFields } from "../device-fields.js";

/** A Dahua access/temperature terminal uploading its events over HTTP (docs/contract.md#network-terminals-over-http). */
export const dahuaConfig = {
  protocol: z
    .literal("dahua-http")
    .describe("Network protocol (docs/contract.md#network-terminals-over-http)."),
};

/** The whole config of a dahua-http device: what every such device has, and the fields above. */
export const dahuaSchema = z.strictObject({ ...terminalFields, ...dahuaConfig });
export type DahuaConfig = z.output<typeof dahuaSchema>;
