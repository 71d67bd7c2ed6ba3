import { type DriverContext, type SerialDriver, scansOf } from "../serial-driver.js";
import type { Rdm6300Config } from "./config.js";
import type { Rdm6300Frame } from "./frame.js";
import { Rdm6300Parser } from "./parser.js";

/** An RDM6300's frames are card numbers: one scan per presentation. */
export function rdm6300Driver(config: Rdm6300Config, ctx: DriverContext): SerialDriver {
  const parser = new Rdm6300Parser();
  const scan = scansOf(ctx, "card", config.debounce_s * 1000);
  parser.on("data", (frame: Rdm6300Frame) => scan(frame.passId));
  return { parser };
}
