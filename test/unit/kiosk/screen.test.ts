import { describe, expect, it } from "vitest";
import {
  formatTemperature,
  IDLE_VIEW,
  isStillCurrent,
  viewForReading,
} from "../../../kiosk-ui/screen.js";

describe("what the entrant's screen shows", () => {
  it.each([
    ["normal", 36.5, "normal", "36.5", false, "体温正常，请通行"],
    ["fever", 38.2, "fever", "38.2", true, "体温异常，请联系工作人员"],
    ["low", 34.1, "low", "34.1", false, "请稍候，再测一次"],
    ["invalid", 28, "invalid", null, false, "测量失败，请重新测量"],
  ] as const)("a %s reading of %f", (status, temp_c, theme, temperature, alarm, zh) => {
    const view = viewForReading({ status, temp_c });
    expect(view).toMatchObject({ theme, temperature, alarm, zh });
    expect(view.en.length).toBeGreaterThan(0);
    expect(view.holdMs).toBeGreaterThan(0);
  });

  it("always shows one decimal", () => {
    expect(formatTemperature(37)).toBe("37.0");
    expect(formatTemperature(37.3)).toBe("37.3");
  });

  it("idles with an invitation and no number", () => {
    expect(IDLE_VIEW).toMatchObject({ theme: "idle", temperature: null, alarm: false });
  });

  it("treats a replayed reading as current only while its view would still be up", () => {
    const view = viewForReading({ status: "normal", temp_c: 36.5 });
    const now = Date.parse("2026-11-22T08:00:10Z");
    expect(isStillCurrent("2026-11-22T08:00:08Z", now, view)).toBe(true);
    expect(isStillCurrent("2026-11-22T08:00:00Z", now, view)).toBe(false);
  });
});
