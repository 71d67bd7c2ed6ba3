import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../gateway/config/load.js";
import { DeviceRegistry } from "../../../gateway/pipeline/devices.js";

describe("screening rules in force at a checkpoint", () => {
  const config = validateConfig({
    screening: { fever_above_c: 37.5, comparator: ">=" },
    checkpoints: [
      { id: "gate-1", name: "North gate", screening: { low_below_c: 34 } },
      { id: "gate-2", name: "South gate" },
    ],
    devices: [
      { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: "device-pass-1" },
    ],
  });
  const registry = new DeviceRegistry(config);

  it("keeps the site's rules a checkpoint does not name (a default does not sneak back in)", () => {
    expect(config.checkpoints[0]?.screening).toEqual({ low_below_c: 34 });
    expect(registry.checkpointRules("gate-1")).toEqual({
      feverAboveC: 37.5,
      comparator: ">=",
      lowBelowC: 34,
      invalidBelowC: 30,
      invalidAboveC: 43,
    });
    expect(registry.rules("thermo-1")).toEqual(registry.checkpointRules("gate-1"));
  });

  it("is the site's at a checkpoint without overrides, and for no checkpoint at all", () => {
    expect(registry.checkpointRules("gate-2")).toMatchObject({ feverAboveC: 37.5, lowBelowC: 35 });
    expect(registry.checkpointRules(null)).toMatchObject({ feverAboveC: 37.5, comparator: ">=" });
  });
});
