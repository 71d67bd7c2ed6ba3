import { localDate, wallClock, wallClockMs } from "../../common/time.js";
import { DEVICE_KIND_TEXT } from "../names.js";
import { api, json } from "../session.js";

/**
 * What every admin view needs of the site: its checkpoints and its time zone. Times are shown
 * and typed in the site's zone, whatever the admin's computer is set to, so a log read from the
 * district office says what the gate's clock said.
 */
export interface Site {
  timezone: string;
  checkpoints: { checkpoint_id: string; name: string }[];
  /** Each device's kind, so a device reads "测温仪 Thermometer (thermo-1)". */
  deviceKinds: Map<string, string>;
}

export async function loadSite(): Promise<Site> {
  const [counts, health] = await Promise.all([api("/api/counts/today"), api("/api/health")]);
  const site = await json<Omit<Site, "deviceKinds">>(counts);
  const { devices } = await json<{ devices: { id: string; kind: string }[] }>(health);
  return { ...site, deviceKinds: new Map(devices.map((d) => [d.id, d.kind])) };
}

/** A device by what it is, its id after: "测温仪 Thermometer (thermo-1)". */
export function deviceName(site: Site, deviceId: string | null): string {
  if (deviceId === null) return "";
  const kind = site.deviceKinds.get(deviceId);
  return kind ? `${DEVICE_KIND_TEXT[kind] ?? kind} (${deviceId})` : deviceId;
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
