/**
 * ISO 8601 (UTC) text of a time in ms, as `Date.prototype.toISOString` gives it. Formatting a
 * Date was 4% of the gateway's CPU at saturation; readings arrive many per second, so the
 * text up to the second is kept and only the milliseconds are written per call.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = "";

export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    // "2026-11-22T08:00:00." from "2026-11-22T08:00:00.000Z"
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

/** Midnight at the start of the day that `nowMs` falls in, in an IANA time zone, as ms. */
export function startOfDayMs(nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(nowMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  // Wall-clock time in the zone, read as if it were UTC, minus the real instant = the offset.
  const wallAsUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  const offsetMs = wallAsUtc - Math.floor(nowMs / 1000) * 1000;
  return Date.UTC(get("year"), get("month") - 1, get("day")) - offsetMs;
}

/** The date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDate(ms: number, timeZone: string): string {
  return new Date(ms).toLocaleDateString("sv-SE", { timeZone });
}

/** When a local date (YYYY-MM-DD) begins in a time zone, as ms. */
export function dayStartMs(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  // Noon UTC of that date is, in any zone (UTC-12 to UTC+14), on that date or one day off.
  let probe = Date.UTC(y, m - 1, d, 12);
  const seen = localDate(probe, timeZone);
  if (seen > date) probe -= 86_400_000;
  else if (seen < date) probe += 86_400_000;
  return startOfDayMs(probe, timeZone);
}
