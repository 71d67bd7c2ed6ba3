import { describe, expect, it } from "vitest";
import { csvCell, csvLine, localTime, neutralise } from "../../../common/csv.js";

describe("CSV for Excel", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+86 138", "'+86 138"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["王小明", "王小明"],
    ["a=b", "a=b"],
  ])("neutralises %j as %j", (text, safe) => {
    expect(neutralise(text)).toBe(safe);
  });

  it("quotes what needs quoting and leaves numbers alone", () => {
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell(-3.5)).toBe("-3.5");
    expect(csvCell(null)).toBe("");
    expect(csvLine(["a", 1, null, "=x"])).toBe("a,1,,'=x\r\n");
  });

  it("writes times in the site's time zone", () => {
    expect(localTime(Date.parse("2026-11-22T16:30:05Z"), "Asia/Shanghai")).toBe(
      "2026-11-23 00:30:05",
    );
  });
});
