import type { TerminalProtocol } from "../terminal-protocol.js";
import { parseHikvisionNotification } from "./event.js";

/** A Hikvision terminal posts one notification per request (the body, or a multipart's JSON part). */
export const hikvisionTerminal: TerminalProtocol = {
  path: "hikvision",
  protocol: "hikvision-isapi",
  parse: (text) => [parseHikvisionNotification(text)],
};
