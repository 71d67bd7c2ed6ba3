import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  classifyTenths,
  DEFAULT_SCREENING_RULES,
  type ScreeningRules,
  screenTemperature,
  toTenths,
} from "../../../gateway/domain/screening.js";

const rules = DEFAULT_SCREENING_RULES;
const atLeast: ScreeningRules = { ...rules, comparator: ">=" };

describe("toTenths rounds half-up to 0.1 °C", () => {
  it.each([
    [37.34, 373],
    [37.35, 374],
    [37.25, 373],
    [36.45, 365],
    [36.44, 364],
    [34.95, 350],
    [34.94, 349],
    [29.95, 300],
    [29.94, 299],
    [43.04, 430],
    [43.05, 431],
    [0.05, 1],
    [-0.05, 0],
    [-0.06, -1],
  ])("%f -> %i tenths", (celsius, tenths) => {
    expect(toTenths(celsius)).toBe(tenths);
  });
});

describe("screening with the default rules (fever above 37.3)", () => {
  it.each([
    // around the fever bound
    [37.3, "normal", 37.3],
    [37.34, "normal", 37.3],
    [37.349, "normal", 37.3],
    [37.35, "fever", 37.4],
    [37.4, "fever", 37.4],
    [37.25, "normal", 37.3],
    [38.2, "fever", 38.2],
    // around the low bound
    [35.0, "normal", 35.0],
    [34.95, "normal", 35.0],
    [34.94, "low", 34.9],
    [34.9, "low", 34.9],
    // around the invalid bounds
    [30.0, "low", 30.0],
    [29.95, "low", 30.0],
    [29.94, "invalid", 29.9],
    [43.0, "fever", 43.0],
    [43.04, "fever", 43.0],
    [43.05, "invalid", 43.1],
    [-5, "invalid", -0.5 * 10],
    [120, "invalid", 120],
  ])("%f °C is %s, shown as %f", (raw, status, shown) => {
    const result = screenTemperature(raw, 0, rules);
    expect(result.status).toBe(status);
    expect(result.tempC).toBe(shown);
  });
});

describe("screening with comparator '>=' (37.3 and above)", () => {
  it.each([
    [37.2, "normal"],
    [37.24, "normal"],
    [37.25, "fever"],
    [37.3, "fever"],
    [37.34, "fever"],
    [36.9, "normal"],
  ])("%f °C is %s", (raw, status) => {
    expect(screenTemperature(raw, 0, atLeast).status).toBe(status);
  });
});

describe("the calibration offset is applied before rounding and judging", () => {
  it.each([
    [37.0, 0.3, "normal", 37.3],
    [37.05, 0.3, "fever", 37.4],
    [37.6, -0.3, "normal", 37.3],
    [34.7, 0.3, "normal", 35.0],
    [35.2, -0.3, "low", 34.9],
    [29.8, 0.2, "low", 30.0],
  ])("raw %f with offset %f is %s at %f", (raw, offset, status, shown) => {
    const result = screenTemperature(raw, offset, rules);
    expect(result.status).toBe(status);
    expect(result.tempC).toBe(shown);
  });
});

describe("configured bounds are honoured", () => {
  const site: ScreeningRules = {
    feverAboveC: 37.5,
    comparator: ">",
    lowBelowC: 35.5,
    invalidBelowC: 32,
    invalidAboveC: 42,
  };
  it.each([
    [375, "normal"],
    [376, "fever"],
    [355, "normal"],
    [354, "low"],
    [320, "low"],
    [319, "invalid"],
    [420, "fever"],
    [421, "invalid"],
  ])("%i tenths is %s", (tenths, status) => {
    expect(classifyTenths(tenths, site)).toBe(status);
  });
});

describe("the shared known-good vectors", () => {
  const vectors = JSON.parse(
    readFileSync(new URL("../../vectors.json", import.meta.url), "utf8"),
  ) as {
    screening_default: [number, string][];
  };
  it.each(vectors.screening_default)("%f °C is %s", (celsius, status) => {
    expect(screenTemperature(celsius, 0, rules).status).toBe(status);
  });
});
