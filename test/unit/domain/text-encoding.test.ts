import { describe, expect, it } from "vitest";
import { decodeSpreadsheetText, TextEncodingError } from "../../../gateway/domain/text-encoding.js";

// "王小明,3-2-401" as Excel on a Chinese Windows saves it (GBK, a subset of GB18030).
const GBK = new Uint8Array([
  0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7, 0x2c, 0x33, 0x2d, 0x32, 0x2d, 0x34, 0x30, 0x31,
]);
const UTF8 = new TextEncoder().encode("\uFEFF王小明,3-2-401");

describe("reading a spreadsheet's text", () => {
  it("reads UTF-8 as UTF-8, dropping Excel's BOM", () => {
    expect(decodeSpreadsheetText(UTF8)).toEqual({
      text: "王小明,3-2-401",
      encoding: "utf-8",
    });
  });

  it("reads Excel's GBK as GB18030 when no charset is declared", () => {
    expect(decodeSpreadsheetText(GBK)).toEqual({ text: "王小明,3-2-401", encoding: "gb18030" });
  });

  it("uses a declared charset strictly, GBK labels included", () => {
    expect(decodeSpreadsheetText(GBK, "gbk").text).toBe("王小明,3-2-401");
    expect(() => decodeSpreadsheetText(GBK, "utf-8")).toThrow("not valid utf-8");
  });

  it("refuses bytes that are neither, and charsets it does not know", () => {
    // A lone continuation byte is bad UTF-8, and 0x80-0xFE then 0x7F is bad GB18030.
    const garbage = new Uint8Array([0x80, 0x7f, 0xff]);
    expect(() => decodeSpreadsheetText(garbage)).toThrow(TextEncodingError);
    expect(() => decodeSpreadsheetText(garbage)).toThrow("neither UTF-8 nor GB18030");
    expect(() => decodeSpreadsheetText(UTF8, "klingon")).toThrow("unknown charset klingon");
  });
});
