import { describe, expect, it } from "vitest";
import {
  spreadsheetInstant,
  spreadsheetStatus,
} from "../../../gateway/domain/spreadsheet-values.js";

const ZONE = "Asia/Shanghai";
const at = (iso: string) => Date.parse(iso);
/** The last millisecond of 2027-12-31 in Beijing. */
const END_OF_DAY = at("2027-12-31T23:59:59.999+08:00");

describe("dates as an office types them", () => {
  it.each([
    ["2027-12-31", END_OF_DAY],
    ["2027/12/31", END_OF_DAY],
    ["2027.12.31", END_OF_DAY],
    ["2027年12月31日", END_OF_DAY],
    ["2027-1-5", at("2027-01-05T23:59:59.999+08:00")],
    ["2027/1/5", at("2027-01-05T23:59:59.999+08:00")],
    [" 2027-12-31 ", END_OF_DAY],
    ["2027-12-31 18:00", at("2027-12-31T18:00:00+08:00")],
    ["2027/12/31 18:00:30", at("2027-12-31T18:00:30+08:00")],
    ["2027-12-31T08:30", at("2027-12-31T08:30:00+08:00")],
    ["2027年12月31日 9:05", at("2027-12-31T09:05:00+08:00")],
    ["2027-12-31T23:59:59+08:00", at("2027-12-31T23:59:59+08:00")],
    ["2027-12-31T15:59:59Z", at("2027-12-31T15:59:59Z")],
  ])("%s", (text, ms) => {
    expect(spreadsheetInstant(text, ZONE)).toBe(ms);
  });

  it.each([
    "有效",
    "2027-13-01",
    "2027-02-30",
    "2027-12-31 24:00",
    "2027-12-31 18:61",
    "31/12/2027",
    "12/31/2027",
    "2027-12",
    "",
    "next year",
  ])("refuses %j", (text) => {
    expect(spreadsheetInstant(text, ZONE)).toBeNull();
  });
});

describe("status words", () => {
  it.each([
    ["active", "active"],
    ["Active", "active"],
    ["有效", "active"],
    ["正常", "active"],
    ["启用", "active"],
    ["revoked", "revoked"],
    ["注销", "revoked"],
    ["已注销", "revoked"],
    ["停用", "revoked"],
    ["作废", "revoked"],
    [" 有效 ", "active"],
  ] as const)("%s is %s", (text, status) => {
    expect(spreadsheetStatus(text)).toBe(status);
  });

  it.each(["过期", "yes", "2027-12-31", ""])("refuses %j", (text) => {
    expect(spreadsheetStatus(text)).toBeNull();
  });
});
