/**
 * The daily summary's chart (issue 6): one bar per hour, allowed (green) under denied (red), and
 * fevers as an orange mark with its count. Pure: it returns SVG text, drawn from numbers only,
 * so it is tested without a browser and needs no charting library for 24 bars.
 */

export interface HourBar {
  hour: number;
  allowed: number;
  denied: number;
  fevers: number;
}

export const CHART = { width: 720, height: 220, left: 40, right: 10, top: 16, bottom: 28 } as const;

/** A round axis maximum at or above `max`: 1, 2, 5, 10, 20, 50, … */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

export function hourlyChartSvg(hours: readonly HourBar[], label: string): string {
  const { width, height, left, right, top, bottom } = CHART;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const max = niceMax(Math.max(0, ...hours.map((h) => h.allowed + h.denied)));
  const slot = plotWidth / Math.max(hours.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (count: number) => top + plotHeight - (count / max) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}" class="hourly-chart">`,
    `<title>${escapeXml(label)}</title>`,
    // Axis: zero, half (when it is a whole count) and the maximum.
    ...(max % 2 === 0 ? [0, max / 2, max] : [0, max]).map(
      (tick) =>
        `<line x1="${left}" x2="${width - right}" y1="${fmt(y(tick))}" y2="${fmt(y(tick))}" class="grid"/><text x="${left - 6}" y="${fmt(y(tick) + 4)}" text-anchor="end" class="tick">${tick}</text>`,
    ),
  ];
  hours.forEach((hour, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    const total = hour.allowed + hour.denied;
    if (hour.allowed > 0)
      parts.push(
        `<rect x="${fmt(x)}" y="${fmt(y(hour.allowed))}" width="${fmt(barWidth)}" height="${fmt(y(0) - y(hour.allowed))}" class="allowed" data-hour="${hour.hour}"><title>${hour.hour}:00 放行 allowed ${hour.allowed}</title></rect>`,
      );
    if (hour.denied > 0)
      parts.push(
        `<rect x="${fmt(x)}" y="${fmt(y(total))}" width="${fmt(barWidth)}" height="${fmt(y(hour.allowed) - y(total))}" class="denied" data-hour="${hour.hour}"><title>${hour.hour}:00 拒绝 denied ${hour.denied}</title></rect>`,
      );
    if (hour.fevers > 0)
      parts.push(
        `<text x="${fmt(x + barWidth / 2)}" y="${fmt(y(total) - 4)}" text-anchor="middle" class="fever" data-hour="${hour.hour}">▲${hour.fevers}</text>`,
      );
    if (hour.hour % 3 === 0)
      parts.push(
        `<text x="${fmt(x + barWidth / 2)}" y="${height - 10}" text-anchor="middle" class="tick">${hour.hour}</text>`,
      );
  });
  parts.push("</svg>");
  return parts.join("");
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}
