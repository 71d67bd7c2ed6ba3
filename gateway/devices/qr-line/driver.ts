import { type DriverContext, type SerialDriver, scansOf } from "../serial-driver.js";
import type { QrLineConfig } from "./config.js";
import type { QrFrame } from "./frame.js";
import { QrLineParser } from "./parser.js";

/** A scanner's lines are pass codes: one scan per presentation. */
export function qrLineDriver(config: QrLineConfig, ctx: DriverContext): SerialDriver {
  const parser = new QrLineParser(config.idle_ms);
  const scan = scansOf(ctx, "qr", config.debounce_s * 1000);
  parser.on("data", (frame: QrFrame) => scan(frame.code));
  return { parser };
}
