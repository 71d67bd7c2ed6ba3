import { Random } from "../random.js";
import type { SimTargets } from "../runner.js";
import type { PtyPair } from "./pty.js";
import { sleep, type VirtualSerialDevice } from "./virtual-devices.js";

export interface SerialSetup {
  thermometer?: VirtualSerialDevice;
  reader?: VirtualSerialDevice;
  /** The pty pairs the devices sit on, if the simulator made them (needed to unplug). */
  pairs: PtyPair[];
  seed: number;
}

/** Scenario actions played on simulated serial devices, byte for byte. */
export function serialTargets(setup: SerialSetup): SimTargets {
  const random = new Random(setup.seed);
  const devices = [setup.thermometer, setup.reader].filter(
    (d): d is VirtualSerialDevice => d !== undefined,
  );
  const noisy = setup.thermometer ?? setup.reader;
  const targets: SimTargets = {
    describe: () =>
      `serial devices (${devices.map((d) => `${d.protocol} on ${d.path}`).join(", ")})`,
    async close() {
      await Promise.all(devices.map((d) => d.close()));
      await Promise.all(setup.pairs.map((pair) => pair.unplug()));
    },
  };
  const { thermometer, reader } = setup;
  if (thermometer) {
    targets.temperature = async (action) => {
      await thermometer.measure(action.tempC);
      return `${thermometer.protocol} -> ${action.tempC.toFixed(2)} °C`;
    };
  }
  if (reader) {
    targets.scan = async (action) => {
      await reader.present(action.passId, action.holdMs);
      return `${reader.protocol} -> ${action.passId}${action.holdMs > 1000 ? ` held ${action.holdMs} ms` : ""}`;
    };
  }
  if (noisy) {
    targets.noise = async (action) => {
      const frame = noisy.sampleFrame();
      if (action.noise === "garbage") {
        const garbage = Buffer.from(
          Array.from({ length: 16 + Math.floor(random.next() * 48) }, () =>
            Math.floor(random.next() * 256),
          ),
        );
        await noisy.write(garbage);
        return `${noisy.protocol} <- ${garbage.length} bytes of garbage`;
      }
      if (action.noise === "corrupt") {
        const corrupt = Buffer.from(frame);
        const at =
          noisy.protocol === "text-line" || noisy.protocol === "qr-line" ? 0 : corrupt.length - 2;
        corrupt[at] = ((corrupt[at] ?? 0) ^ 0x5a) & 0xff;
        await noisy.write(corrupt);
        return `${noisy.protocol} <- a frame with a corrupt byte`;
      }
      const cut = Math.max(1, Math.floor(frame.length / 2));
      await noisy.write(frame.subarray(0, cut));
      await sleep(30);
      await noisy.write(frame.subarray(cut));
      return `${noisy.protocol} <- a good frame split in two writes`;
    };
  }
  if (setup.pairs.length > 0) {
    targets.unplug = async (action) => {
      await Promise.all(devices.map((d) => d.close()));
      await Promise.all(setup.pairs.map((pair) => pair.unplug()));
      await sleep(action.downMs);
      await Promise.all(setup.pairs.map((pair) => pair.plug()));
      await Promise.all(devices.map((d) => d.open()));
      return `unplugged ${setup.pairs.map((p) => p.gatewayPath).join(", ")} for ${action.downMs} ms, plugged back`;
    };
  }
  return targets;
}
