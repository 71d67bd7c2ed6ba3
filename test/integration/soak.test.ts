import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../soak/checker.js";
import { FORGERIES } from "../../soak/district.js";
import { runSoak } from "../../soak/run.js";
import { DISTRICT_FAULTS, FAULTS } from "../../soak/schedule.js";

const dir = mkdtempSync(join(tmpdir(), "cg-soak-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the short soak (fixed seed): every promise holds through mixed faults", () => {
  it("holds every invariant through 90 s of mixed crowds, restarts, kills, outages, a pulled cable, a full disk, garbage, and a district under forgeries with PostgreSQL restarted and workers killed", async () => {
    const lines: string[] = [];
    const { recording, figures } = await runSoak({
      dir,
      seconds: 90,
      // Seed 7 draws every kind of fault in 90 s (the schedule is seeded, so this is fixed).
      seed: 7,
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
    // The run really was a chaotic one: every kind of fault was carried out (a full disk needs
    // root for its tmpfs, and is said to be skipped otherwise).
    const carriedOut = new Set([...Object.keys(figures.faults), ...Object.keys(figures.skipped)]);
    expect(carriedOut).toEqual(new Set([...FAULTS, ...DISTRICT_FAULTS]));
    if (process.getuid?.() === 0) expect(figures.faults.full_disk).toBeGreaterThanOrEqual(1);
    expect(figures.restarts).toBeGreaterThanOrEqual(3);
    expect(figures.acked).toBe(figures.sent);
    expect(figures.sent).toBeGreaterThan(1000);
    // The district took the gateway's events in, and the hostile account's forgeries were many
    // and of every kind (each must be a dead letter: the checker's invariant).
    expect(figures.district.stored).toBeGreaterThan(500);
    expect(new Set(recording.district?.forgeries.map((f) => f.kind))).toEqual(
      new Set(Object.keys(FORGERIES)),
    );
    // A dashboard polled the API all through (every answer held to the checker's invariant).
    expect(figures.district.apiRequests).toBeGreaterThan(40);
    // The serial gate was read, and its readings are held to what its devices sent.
    expect(
      recording.stored.readings.filter((r) => r.device_id === "thermo-serial").length,
    ).toBeGreaterThan(20);
  }, 420_000);
});
