import { z } from "zod";

/** A Dahua access/temperature terminal uploading its events over HTTP (SPEC 3a). */
export const dahuaConfig = {
  protocol: z.literal("dahua-http").describe("Network protocol (SPEC 3a)."),
};
