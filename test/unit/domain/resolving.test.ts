import { describe, expect, it } from "vitest";
import { RESOLVING, resolutionProblem, SEVERITY } from "../../../gateway/domain/resolving.js";
import { DEFAULT_SCREENING_RULES } from "../../../gateway/domain/screening.js";
import { ALERT_KINDS, type AlertKind, type Disposition } from "../../../gateway/domain/types.js";

const problem = (kind: AlertKind, disposition: Disposition, confirm_temp_c: number | null) =>
  resolutionProblem(kind, { disposition, confirm_temp_c }, DEFAULT_SCREENING_RULES);

describe("how each kind of alert may be resolved", () => {
  it.each([
    // kind, disposition, confirming °C, allowed
    ["fever", "released", 36.8, true],
    ["fever", "released", 37.3, true],
    ["fever", "released", 37.4, false],
    ["fever", "released", 38.5, false],
    ["fever", "released", 34.2, false],
    ["fever", "released", null, false],
    ["fever", "false_alarm", 36.6, true],
    ["fever", "false_alarm", 38.1, false],
    ["fever", "referred", 38.5, true],
    ["fever", "referred", null, false],
    ["fever", "refused", 38.0, true],
    ["fever", "fixed", 36.5, false],
    ["low_retest", "released", 36.2, true],
    ["low_retest", "released", 34.0, false],
    ["revoked_pass", "released", null, true],
    ["revoked_pass", "refused", null, true],
    ["revoked_pass", "refused", 36.5, false],
    ["observation", "referred", null, false],
    ["device_offline", "fixed", null, true],
    ["device_offline", "false_alarm", null, true],
    ["device_offline", "released", null, false],
    ["device_offline", "fixed", 36.5, false],
    ["upstream_backlog", "fixed", null, true],
    ["reader_fault", "refused", null, false],
  ] as const)("%s resolved as %s with %s °C: %s", (kind, disposition, temp, allowed) => {
    const said = problem(kind, disposition, temp);
    if (allowed) expect(said).toBeNull();
    else expect(said).toMatch(/\w/);
  });

  it("says why, naming what would do", () => {
    expect(problem("fever", "released", 38.5)).toBe(
      "released needs a normal confirming temperature; 38.5 °C is not",
    );
    expect(problem("fever", "referred", null)).toBe(
      "a fever alert needs the confirming temperature",
    );
    expect(problem("device_offline", "released", null)).toBe(
      "a device_offline alert is resolved as fixed, false_alarm, not released",
    );
  });

  it("has a rule and a rank for every kind, a fever first", () => {
    for (const kind of ALERT_KINDS) expect(RESOLVING[kind].dispositions.length).toBeGreaterThan(0);
    expect([...SEVERITY].sort()).toEqual([...ALERT_KINDS].sort());
    expect(SEVERITY[0]).toBe("fever");
  });

  it("judges the confirming temperature by the checkpoint's own rule", () => {
    const atOrAbove = { ...DEFAULT_SCREENING_RULES, comparator: ">=" as const };
    expect(
      resolutionProblem("fever", { disposition: "released", confirm_temp_c: 37.3 }, atOrAbove),
    ).not.toBeNull();
  });
});
