import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../soak/checker.js";
import { runSoak } from "../../soak/run.js";

const dir = mkdtempSync(join(tmpdir(), "cg-soak-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the short soak (fixed seed): every promise holds through mixed faults", () => {
  it("holds every invariant after a minute of load, restarts, kills, outages and garbage", async () => {
    const lines: string[] = [];
    const { recording, figures } = await runSoak({
      dir,
      seconds: 60,
      seed: 4,
      gates: 3,
      rate: 20,
      faultEveryMs: 6000,
      log: (line) => lines.push(line),
    });
    const verdicts = check(recording);
    expect(
      verdicts.filter((v) => !v.ok),
      lines.join("\n"),
    ).toEqual([]);
    // The run really was a chaotic one (the schedule is seeded, so this is fixed).
    expect(figures.restarts).toBeGreaterThanOrEqual(1);
    expect(Object.keys(figures.faults).length).toBeGreaterThanOrEqual(3);
    expect(figures.acked).toBe(figures.sent);
    expect(figures.sent).toBeGreaterThan(500);
  }, 240_000);
});
