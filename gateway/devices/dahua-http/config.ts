import { z } from "zod";
import { terminalFields } from "../device-fields.js";

/** A Dahua access/temperature terminal uploading its events over HTTP (SPEC 3a). */
export const dahuaConfig = {
  protocol: z.literal("dahua-http").describe("Network protocol (SPEC 3a)."),
};

/** The whole config of a dahua-http device: what every such device has, and the fields above. */
export const dahuaSchema = z.strictObject({ ...terminalFields, ...dahuaConfig });
export type DahuaConfig = z.output<typeof dahuaSchema>;
