import { dayStartMs, nextDate, wallClockMs } from "../../common/time.js";
import type { PassStatus } from "./types.js";
import { PASS_STATUS_WORDS } from "./words.js";

/**
 * Values as a property office types them into a spreadsheet (pure): dates the way Chinese Excel
 * writes them, status words in Chinese. Each parser returns null for what it does not
 * understand, so the import can say which cell on which line.
 */

const DATE =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An instant from `2027-12-31T23:59:59+08:00` (ISO with a zone), `2027-12-31`, `2027/12/31`,
 * `2027.12.31` or `2027年12月31日`, each optionally with a time `18:00` or `18:00:30` in the
 * site's time zone. A date alone means to the end of that day: a pass "valid until 2027-12-31"
 * is valid all of the 31st.
 */
export function spreadsheetInstant(text: string, timeZone: string): number | null {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  const match = DATE.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1);
  const date = `${year}-${month?.padStart(2, "0")}-${day?.padStart(2, "0")}`;
  // A date that does not exist (2027-02-30) does not come back the same from the calendar.
  const start = wallClockMs(`${date} 00:00`, timeZone);
  if (start === null || new Date(start + 12 * 3_600_000).toISOString().slice(0, 10) !== date)
    return null;
  if (hour === undefined) return dayStartMs(nextDate(date, timeZone), timeZone) - 1;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return null;
  return wallClockMs(
    `${date} ${hour.padStart(2, "0")}:${minute}${second ? `:${second}` : ""}`,
    timeZone,
  );
}

const STATUS_SAID: Record<string, PassStatus> = {
  active: "active",
  有效: "active",
  正常: "active",
  启用: "active",
  在用: "active",
  revoked: "revoked",
  注销: "revoked",
  已注销: "revoked",
  停用: "revoked",
  作废: "revoked",
  无效: "revoked",
};

/** A pass status from `active`/`revoked` or the Chinese an office writes (有效, 注销, 停用…). */
export function spreadsheetStatus(text: string): PassStatus | null {
  return STATUS_SAID[text.trim().toLowerCase()] ?? null;
}

/** The words a status may be written as, for an error message. */
export const STATUS_HELP = `${Object.values(PASS_STATUS_WORDS)
  .map((w) => w.zh)
  .join("/")} (active/revoked)`;
