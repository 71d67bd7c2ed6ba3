import { describe, expect, it } from "vitest";
import { Random } from "../../../firmware-sim/random.js";
import {
  cards,
  fever,
  noise,
  rush,
  type ScenarioAction,
  type ScenarioOptions,
  steady,
  type TemperatureAction,
  unplug,
  winter,
} from "../../../firmware-sim/scenarios.js";
import { DEFAULT_SCREENING_RULES, screenTemperature } from "../../../gateway/domain/screening.js";

const options: ScenarioOptions = {
  seed: 42,
  thermometers: ["t1", "t2"],
  ratePerMin: 60,
  feverShare: 0.1,
  people: 2000,
};
const temperatures = (actions: ScenarioAction[]) =>
  actions.filter((a): a is TemperatureAction => a.kind === "temperature");
const statusOf = (tempC: number) => screenTemperature(tempC, 0, DEFAULT_SCREENING_RULES).status;

describe("simulator scenarios", () => {
  it("play the same run for the same seed and another for another seed", () => {
    expect([...steady(options)]).toEqual([...steady(options)]);
    expect([...steady({ ...options, seed: 43 })]).not.toEqual([...steady(options)]);
    expect(new Random(7).next()).toBe(new Random(7).next());
  });

  it("steady: arrivals at the asked rate, about the asked share with a fever, spread over devices", () => {
    const actions = temperatures([...steady(options)]);
    expect(actions).toHaveLength(2000);
    const minutes = (actions.at(-1)?.atMs ?? 0) / 60_000;
    expect(2000 / minutes).toBeGreaterThan(54);
    expect(2000 / minutes).toBeLessThan(66);
    const fevers = actions.filter((a) => statusOf(a.tempC) === "fever").length;
    expect(fevers / 2000).toBeGreaterThan(0.07);
    expect(fevers / 2000).toBeLessThan(0.13);
    expect(actions.every((a) => (a.note === "fever") === (statusOf(a.tempC) === "fever"))).toBe(
      true,
    );
    expect(new Set(actions.map((a) => a.deviceId))).toEqual(new Set(["t1", "t2"]));
    const times = actions.map((a) => a.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("fever: healthy people, then a fever measured again a few seconds later", () => {
    const actions = temperatures([...fever({ ...options, people: 8 })]);
    expect(actions.map((a) => statusOf(a.tempC))).toEqual([
      "normal",
      "normal",
      "normal",
      "fever",
      "fever",
      "normal",
      "normal",
      "normal",
      "fever",
      "fever",
    ]);
    const [first, again] = [actions[3], actions[4]];
    expect((again?.atMs ?? 0) - (first?.atMs ?? 0)).toBe(5000);
    expect(again?.note).toBe("fever, measured again");
  });

  it("rush: most people show a resident card a moment before their temperature", () => {
    const actions = [...rush({ ...options, people: 200 })];
    const scans = actions.filter((a) => a.kind === "scan");
    expect(temperatures(actions)).toHaveLength(200);
    expect(scans.length).toBeGreaterThan(160);
    expect(scans.length).toBeLessThan(200);
  });

  it("winter: everyone reads low first and normal in the end", () => {
    const actions = temperatures([...winter({ ...options, people: 30 })]);
    const statuses = actions.map((a) => statusOf(a.tempC));
    expect(statuses[0]).toBe("low");
    expect(statuses.filter((s) => s === "normal")).toHaveLength(30);
    expect(statuses.filter((s) => s === "fever" || s === "invalid")).toEqual([]);
  });

  it("cards: taps, an unknown card, a held card, a quick repeat", () => {
    const actions = [...cards({ ...options, people: 4 })];
    expect(actions.map((a) => (a.kind === "scan" ? a.holdMs : 0))).toEqual([
      300, 300, 4000, 300, 300,
    ]);
  });

  it("noise and unplug: trouble between good readings", () => {
    expect(
      [...noise({ ...options, people: 3 })].map((a) => (a.kind === "noise" ? a.noise : a.kind)),
    ).toEqual(["garbage", "temperature", "corrupt", "temperature", "split", "temperature"]);
    expect([...unplug({ ...options, people: 4 })].map((a) => a.kind)).toEqual([
      "temperature",
      "temperature",
      "unplug",
      "temperature",
      "temperature",
    ]);
  });
});
