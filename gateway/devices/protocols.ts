import { z } from "zod";
import { dahuaSchema } from "./dahua-http/config.js";
import { dahuaTerminal } from "./dahua-http/terminal.js";
import { gy90614Schema } from "./gy-mcu90614/config.js";
import { gy90614Driver } from "./gy-mcu90614/driver.js";
import { hikvisionSchema } from "./hikvision-isapi/config.js";
import { hikvisionTerminal } from "./hikvision-isapi/terminal.js";
import { qrLineSchema } from "./qr-line/config.js";
import { qrLineDriver } from "./qr-line/driver.js";
import { rdm6300Schema } from "./rdm6300/config.js";
import { rdm6300Driver } from "./rdm6300/driver.js";
import type { DriverContext, SerialDriver } from "./serial-driver.js";
import type { TerminalProtocol } from "./terminal-protocol.js";
import { textLineSchema } from "./text-line/config.js";
import { textLineDriver } from "./text-line/driver.js";

/**
 * The wire protocols the gateway speaks to devices, one folder each (docs/contract.md#devices-on-serial-ports, 3a): the list is
 * here and only here. The config schema takes the unions below; the drivers take their own
 * folder's config type.
 */
const SERIAL_SCHEMAS = [gy90614Schema, textLineSchema, rdm6300Schema, qrLineSchema] as const;
const TERMINAL_SCHEMAS = [hikvisionSchema, dahuaSchema] as const;

export const SERIAL_PROTOCOLS = SERIAL_SCHEMAS.map((schema) => schema.shape.protocol.value);
export const TERMINAL_PROTOCOLS = TERMINAL_SCHEMAS.map((schema) => schema.shape.protocol.value);

/** Says a missing protocol as missing, a wrong one with the list of those there are. */
function protocolError(what: string, protocols: readonly string[]) {
  return (issue: { input: unknown }) =>
    typeof issue.input === "object" && issue.input !== null && "protocol" in issue.input
      ? `must be one of ${protocols.join(", ")}`
      : `required for ${what}`;
}

/** A serial device, by protocol: the config's type follows the protocol. */
export const serialDeviceSchema = z.discriminatedUnion("protocol", SERIAL_SCHEMAS, {
  error: protocolError("a serial device", SERIAL_PROTOCOLS),
});

/** A network terminal, by protocol. */
export const terminalSchema = z.discriminatedUnion("protocol", TERMINAL_SCHEMAS, {
  error: protocolError("an http terminal", TERMINAL_PROTOCOLS),
});

export type SerialDeviceConfig = z.output<typeof serialDeviceSchema>;
export type TerminalConfig = z.output<typeof terminalSchema>;

/** The driver of a serial device's protocol (a protocol left out here does not compile). */
export function serialDriver(config: SerialDeviceConfig, ctx: DriverContext): SerialDriver {
  switch (config.protocol) {
    case "gy-mcu90614":
      return gy90614Driver(config, ctx);
    case "text-line":
      return textLineDriver(config, ctx);
    case "rdm6300":
      return rdm6300Driver(config, ctx);
    case "qr-line":
      return qrLineDriver(config, ctx);
  }
}

/** The network terminals' protocols, each with its path and parse step. */
export const TERMINALS: readonly TerminalProtocol[] = [hikvisionTerminal, dahuaTerminal];
