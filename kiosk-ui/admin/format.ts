import { nextDate } from "../../common/time.js";

/** The admin pages' pure helpers: no DOM, so unit tests run them in Node. */

/** SPEC's seeds: returning residents observe 14 days at home. */
export const OBSERVATION_DAYS = 14;

/** The day `days` after `date` (YYYY-MM-DD) in the site's zone. */
export function addDays(date: string, days: number, timeZone: string): string {
  let day = date;
  for (let i = 0; i < days; i++) day = nextDate(day, timeZone);
  return day;
}

/** `1小时5分 1h 5m`, `无 none`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "无 none";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}小时${minutes}分 ${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}分 ${minutes}m`;
  return `${rest}秒 ${rest}s`;
}
