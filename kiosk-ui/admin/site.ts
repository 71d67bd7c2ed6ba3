import { localDate, wallClock, wallClockMs } from "../../gateway/domain/time.js";
import { api } from "../session.js";

/**
 * What every admin view needs of the site: its checkpoints and its time zone. Times are shown
 * and typed in the site's zone, whatever the admin's computer is set to, so a log read from the
 * district office says what the gate's clock said.
 */
export interface Site {
  timezone: string;
  checkpoints: { checkpoint_id: string; name: string }[];
}

export async function loadSite(): Promise<Site> {
  const response = await api("/api/counts/today");
  return (await response.json()) as Site;
}

/** `2026-11-23 08:30:05` in the site's zone, or an empty string. */
export function showTime(site: Site, iso: string | null): string {
  return iso === null ? "" : wallClock(Date.parse(iso), site.timezone);
}

/** A `datetime-local` value read as the site's wall clock, as ISO 8601; undefined if empty. */
export function inputToIso(site: Site, value: string): string | undefined {
  const ms = value === "" ? null : wallClockMs(value, site.timezone);
  return ms === null ? undefined : new Date(ms).toISOString();
}

/** A `date` value as the start of that day in the site's zone, as ISO 8601, or null. */
export function dateToIso(site: Site, date: string): string | null {
  const ms = date === "" ? null : wallClockMs(`${date} 00:00`, site.timezone);
  return ms === null ? null : new Date(ms).toISOString();
}

/** An ISO time as the site's date for a `date` input. */
export function isoToDate(site: Site, iso: string | null): string {
  return iso === null ? "" : localDate(Date.parse(iso), site.timezone);
}

export function today(site: Site): string {
  return localDate(Date.now(), site.timezone);
}
