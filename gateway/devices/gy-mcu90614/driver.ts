import { EMPTY, observe, type PresenceState } from "../presence.js";
import type { DriverContext, SerialDriver } from "../serial-driver.js";
import type { Gy90614Config } from "./config.js";
import { COMMAND_CONTINUOUS, COMMAND_READ_ONCE } from "./constants.js";
import type { Gy90614Frame } from "./frame.js";
import { Gy90614Parser } from "./parser.js";

/** A module in continuous mode sends about 10 frames a second; this long without one means it forgot. */
const CONTINUOUS_SILENCE_MS = 2000;

/**
 * A GY-MCU90614 streams samples whether anyone is there or not; one reading per person is the
 * peak while someone stands in front (presence.ts). The module only talks when asked
 * (datasheet): continuous output, or one sample per poll. A module that was reset (a power
 * blip, replugged before the port was reopened) forgets it was asked, so the continuous command
 * is repeated whenever frames stop coming.
 */
export function gy90614Driver(config: Gy90614Config, ctx: DriverContext): SerialDriver {
  const parser = new Gy90614Parser();
  let presence: PresenceState = EMPTY;
  let lastFrameMs = 0;
  let timer: NodeJS.Timeout | undefined;
  parser.on("data", (frame: Gy90614Frame) => {
    const nowMs = ctx.now();
    lastFrameMs = nowMs;
    const result = observe(
      presence,
      { objectC: frame.objectC, ambientC: frame.ambientC, tsMs: nowMs },
      { presenceAboveC: config.presence_above_c, maxMs: config.presence_max_ms },
    );
    presence = result.state;
    if (result.reading)
      ctx.emit({
        kind: "reading",
        raw_c: result.reading.objectC,
        ambient_c: result.reading.ambientC,
        ts_ms: result.reading.tsMs,
      });
  });
  return {
    parser,
    opened(write) {
      clearInterval(timer);
      if (config.read_mode === "continuous") {
        write(COMMAND_CONTINUOUS);
        timer = setInterval(() => {
          if (ctx.now() - lastFrameMs > CONTINUOUS_SILENCE_MS) write(COMMAND_CONTINUOUS);
        }, CONTINUOUS_SILENCE_MS);
      } else {
        timer = setInterval(() => write(COMMAND_READ_ONCE), config.poll_interval_ms);
      }
    },
    closed() {
      clearInterval(timer);
    },
  };
}
