import { z } from "zod";

/**
 * What every network terminal has (SPEC 3a): a face/temperature terminal that a site already
 * owns and that pushes its events over HTTP; each protocol folder's config.ts adds its own.
 */
export const terminalFields = {
  transport: z.literal("http").describe("How the device is reached: http (it posts its events)."),
  kind: z
    .literal("terminal", {
      error: (issue) =>
        `an http device is a terminal (a thermometer and a reader in one), not a ${String(issue.input)}`,
    })
    .default("terminal")
    .describe("A terminal measures and reads a card or a face in one event."),
  password: z
    .string({
      error: (issue) => (issue.input === undefined ? "required for an http terminal" : undefined),
    })
    .min(8, "must be at least 8 characters")
    .describe("The password the terminal sends (HTTP Basic or Digest, the device id as username)."),
  offline_after_s: z
    .number()
    .positive()
    .default(120)
    .describe("A terminal silent this long (no event, no heartbeat) is offline."),
  keep_pictures: z
    .boolean()
    .default(false)
    .describe(
      "Keep the pictures a terminal sends (in pictures/ beside the database); else dropped.",
    ),
};
