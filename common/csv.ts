import { wallClock } from "./time.js";

/**
 * CSV for Excel (pure): UTF-8 with a byte-order mark so Excel opens Chinese correctly, and
 * text cells that a spreadsheet would run as a formula neutralised (CWE-1236).
 */
export const BOM = "\uFEFF";

/** A text cell that starts with = + - @, a tab or a CR gets a leading apostrophe. */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? neutralise(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** `2026-11-22 16:00:05` in the site's time zone: what an admin reads in a spreadsheet. */
export const localTime = wallClock;
