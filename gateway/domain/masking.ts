/**
 * Masking of personal data on the kiosk channel (docs/contract.md#live-push-websocket): the screen at the gate is seen by
 * everyone in the queue, so it never shows a whole name or pass number.
 */

/** 王小明 -> 王*; an empty name stays empty. */
export function maskHolderName(name: string): string {
  const chars = Array.from(name);
  const first = chars[0];
  return first === undefined ? "" : `${first}*`;
}

/** 0012345678 -> 00****5678 (8 or more characters); 2201 -> ****01 (shorter). */
export function maskPassId(passId: string): string {
  const chars = Array.from(passId);
  if (chars.length >= 8) {
    return `${chars.slice(0, 2).join("")}****${chars.slice(-4).join("")}`;
  }
  return `****${chars.slice(-2).join("")}`;
}

/** Returns a copy of an event's data with every personal field masked. */
export function maskPersonalFields<T extends object>(data: T): T {
  const copy = { ...data } as Record<string, unknown>;
  if (typeof copy.holder_name === "string") copy.holder_name = maskHolderName(copy.holder_name);
  if (typeof copy.pass_id === "string") copy.pass_id = maskPassId(copy.pass_id);
  return copy as T;
}

/** What the district is sent of people (upstream `personal_data`, docs/contract.md#upstream-the-district). */
export type DistrictPersonalData = "masked" | "full";

/**
 * An event's data as it goes to the district: by default holder names masked as on the kiosk
 * and no guard's username or note (the district counts and follows up fevers; who the person is
 * stays at the site, where the pass register is). `full` sends them as stored, for a district
 * whose rules require names.
 */
export function forDistrict<T extends object>(data: T, personal: DistrictPersonalData): T {
  if (personal === "full") return data;
  const copy = { ...data } as Record<string, unknown>;
  if (typeof copy.holder_name === "string") copy.holder_name = maskHolderName(copy.holder_name);
  for (const field of ["acknowledged_by", "resolved_by", "note"])
    if (typeof copy[field] === "string") copy[field] = null;
  return copy as T;
}
