import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../gateway/domain/csv-parse.js";

describe("parseCsv", () => {
  it("reads records with their line numbers, a BOM, CRLF and LF, and skips blank lines", () => {
    expect(parseCsv("\uFEFFa,b\r\n1,2\n\n3,4")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 4, fields: ["3", "4"] },
    ]);
  });

  it("reads quoted fields with commas, quotes and line breaks, and counts lines inside them", () => {
    expect(parseCsv('x,"a, ""b""\nc",y\nnext,1,2')).toEqual([
      { line: 1, fields: ["x", 'a, "b"\nc', "y"] },
      { line: 3, fields: ["next", "1", "2"] },
    ]);
  });

  it("keeps empty fields", () => {
    expect(parseCsv("a,,c\n,,\n")).toEqual([
      { line: 1, fields: ["a", "", "c"] },
      { line: 2, fields: ["", "", ""] },
    ]);
  });
});
