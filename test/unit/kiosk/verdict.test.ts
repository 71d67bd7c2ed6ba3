import { describe, expect, it } from "vitest";
import { verdictText } from "../../../kiosk-ui/admin/verdict.js";

describe("a terminal's verdict in the admin's log", () => {
  it.each([
    [null, "normal", ""],
    [{ over_temperature: false, mask: "yes" }, "normal", "正常 normal · 戴口罩 mask"],
    [{ over_temperature: true, mask: "no" }, "fever", "超温 over · 未戴口罩 no mask"],
    [{ over_temperature: true, mask: null }, "normal", "超温 over · ⚠ 与网关判断不同 differs"],
    [
      { over_temperature: false, mask: "unknown" },
      "fever",
      "正常 normal · ⚠ 与网关判断不同 differs",
    ],
    [{ over_temperature: null, mask: "yes" }, "fever", "戴口罩 mask"],
  ] as const)("%j with the gateway's %s: %s", (terminal_verdict, status, text) => {
    expect(verdictText({ terminal_verdict, status })).toBe(text);
  });
});
