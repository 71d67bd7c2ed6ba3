import { describe, expect, it } from "vitest";
import { CROWDS, type CrowdAction, crowd } from "../../../soak/crowd.js";

const gates = [
  { id: "gate-1", mode: "temperature_only" },
  { id: "gate-2", mode: "pass_and_temperature" },
  { id: "gate-3", mode: "pass_only" },
] as const;

function firstMinutes(seed: number, minutes: number): CrowdAction[] {
  const actions: CrowdAction[] = [];
  for (const action of crowd({
    seed,
    gates: [...gates],
    rate: 6,
    feverShare: 0.1,
    segmentMs: 20_000,
  })) {
    if (action.atMs > minutes * 60_000) break;
    actions.push(action);
  }
  return actions;
}

describe("the soak's crowd", () => {
  const actions = firstMinutes(7, 10);

  it("is the same for the same seed and differs for another", () => {
    expect(firstMinutes(7, 10)).toEqual(actions);
    expect(firstMinutes(8, 10)).not.toEqual(actions);
  });

  it("plays at each gate only the scenarios that fit its mode, and mixes them", () => {
    for (const gate of gates) {
      const played = new Set(actions.filter((a) => a.gate.id === gate.id).map((a) => a.scenario));
      expect([...played].every((name) => CROWDS[gate.mode].includes(name))).toBe(true);
      expect(played.size).toBe(CROWDS[gate.mode].length);
    }
  });

  it("measures only where there is a thermometer, at that gate's own", () => {
    for (const action of actions) {
      if (action.kind !== "temperature") continue;
      expect(action.gate.mode).not.toBe("pass_only");
      expect(action.deviceId).toBe(`thermo-${action.gate.id}`);
    }
    expect(actions.some((a) => a.kind === "scan" && a.gate.mode === "pass_only")).toBe(true);
  });

  it("comes in time order within a second (a card then the forehead may overlap the next person)", () => {
    let latest = 0;
    for (const action of actions) {
      expect(action.atMs).toBeGreaterThan(latest - 2000);
      latest = Math.max(latest, action.atMs);
    }
    // About the asked rate over all gates (6 people a second, a person one to three actions).
    expect(actions.length).toBeGreaterThan(6 * 600 * 0.5);
  });
});
