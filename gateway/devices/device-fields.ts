import { z } from "zod";

/**
 * The config fields every device has, and those of each transport (docs/contract.md#devices-on-serial-ports, 3a, 9): each
 * protocol folder's config.ts adds its own to these, and protocols.ts assembles the union the
 * config schema takes.
 */

/** An id in the config: a device, a checkpoint, a site, the gateway. */
export const idField = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-'");

/** What every device has, whatever its transport. */
export const deviceFields = {
  id: idField.describe("Device id; for MQTT devices also the username."),
  checkpoint: idField.describe("Id of the checkpoint the device stands at."),
  offset_c: z
    .number()
    .min(-5)
    .max(5)
    .default(0)
    .describe("Calibration offset added to every raw reading (temp_c = raw_c + offset_c)."),
};

/** What every serial device has; each protocol folder's config.ts adds its own fields. */
export const serialFields = {
  ...deviceFields,
  transport: z.literal("serial").describe("How the device is reached: serial."),
  path: z
    .string({ error: "required for a serial device" })
    .describe("Serial port path, e.g. /dev/serial/by-id/..."),
  baud_rate: z.number().int().positive().default(9600).describe("Serial baud rate."),
};

/**
 * What every network terminal has (docs/contract.md#network-terminals-over-http): a face/temperature terminal that a site already
 * owns and that pushes its events over HTTP; each protocol folder's config.ts adds its own.
 */
export const terminalFields = {
  ...deviceFields,
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
