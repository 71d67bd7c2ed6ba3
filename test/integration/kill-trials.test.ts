import { describe, expect, it } from "vitest";
import { NO_FAULTS, runKillTrial } from "../../soak/kill-trial.js";

/**
 * SIGKILL trials of the gateway as its own process (docs/contract.md#identity-and-order, 2, 4): whatever moment the kill
 * lands in, after the restart and the devices' redelivery every acknowledged message is stored
 * once, every reading and scan has its passage (lone halves decided when their window ends),
 * every fever its alert, and no id names two events. Each trial kills at a different point.
 */
const TRIALS = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85];

describe("SIGKILL trials at a temperature_only and a pass_and_temperature gate", () => {
  for (const [i, killAfter] of TRIALS.entries()) {
    it(`trial ${i + 1}: killed once ${Math.round(killAfter * 100)}% are acknowledged`, async () => {
      const counts = await runKillTrial(undefined, 500, killAfter);
      // The kill landed in the middle of the stream, and everything was acknowledged in the end.
      expect(counts.ackedAtKill).toBeLessThan(counts.sent);
      expect(counts.acked).toBe(counts.sent);
      expect(counts.stored).toBe(counts.sent);
      expect(counts).toMatchObject(NO_FAULTS);
    }, 90_000);
  }
});
