import type { DriverContext, SerialDriver } from "../serial-driver.js";
import type { TextLineConfig } from "./config.js";
import { compilePattern, type TextLineFrame } from "./frame.js";
import { TextLineParser } from "./parser.js";

/** Each line the pattern matches is one reading, at the time it arrived. */
export function textLineDriver(config: TextLineConfig, ctx: DriverContext): SerialDriver {
  const parser = new TextLineParser(compilePattern(config.pattern));
  parser.on("data", (frame: TextLineFrame) =>
    ctx.emit({ kind: "reading", raw_c: frame.tempC, ambient_c: null, ts_ms: ctx.now() }),
  );
  return { parser };
}
