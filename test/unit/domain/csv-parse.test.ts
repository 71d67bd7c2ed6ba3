import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "../../../gateway/domain/csv-parse.js";

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

describe("a quoted field left open", () => {
  it("is refused with the line the quote opens on", () => {
    expect(() => parseCsv('a,b\n1,"two\n3,4\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n1,"two\n3,4\n')).toThrow(/^line 2: a quoted field is not closed/);
    expect(parseCsv('a,b\n1,"two\n lines"\n')).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "two\n lines"] },
    ]);
  });
});
