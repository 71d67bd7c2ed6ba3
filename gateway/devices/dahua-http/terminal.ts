import type { TerminalProtocol } from "../terminal-protocol.js";
import { parseDahuaUpload } from "./event.js";

/** A Dahua terminal uploads one or more events per request (its offline store in one go). */
export const dahuaTerminal: TerminalProtocol = {
  path: "dahua",
  protocol: "dahua-http",
  parse: parseDahuaUpload,
};
