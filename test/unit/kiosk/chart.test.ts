import { describe, expect, it } from "vitest";
import { CHART, hourlyChartSvg, niceMax } from "../../../kiosk-ui/chart.js";

const empty = Array.from({ length: 24 }, (_, hour) => ({ hour, allowed: 0, denied: 0, fevers: 0 }));

/** The numeric attributes of each element of a class, in document order. */
function shapes(svg: string, cls: string): Record<string, number>[] {
  return [...svg.matchAll(new RegExp(`<rect ([^>]*)class="${cls}"`, "g"))].map((m) =>
    Object.fromEntries(
      [...(m[1] ?? "").matchAll(/(\w+)="([\d.]+)"/g)].map((a) => [a[1], Number(a[2])]),
    ),
  );
}

describe("the hourly chart", () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [180, 200],
    [201, 500],
    [999, 1000],
  ])("rounds an axis maximum of %i up to %i", (max, nice) => {
    expect(niceMax(max)).toBe(nice);
  });

  it("draws nothing but the axis on an empty day", () => {
    const svg = hourlyChartSvg(empty, "gate-1");
    expect(shapes(svg, "allowed")).toEqual([]);
    expect(shapes(svg, "denied")).toEqual([]);
    expect(svg).not.toContain('class="fever"');
    // Hour labels every three hours.
    // The axis of an empty day: 0 and 1, then the hours every three.
    expect([...svg.matchAll(/class="tick">([^<]+)</g)].map((m) => m[1])).toEqual([
      "0",
      "1",
      "0",
      "3",
      "6",
      "9",
      "12",
      "15",
      "18",
      "21",
    ]);
  });

  it("stacks denied on allowed, heights in proportion, fevers marked with their count", () => {
    const hours = empty.map((h) =>
      h.hour === 8
        ? { ...h, allowed: 60, denied: 20, fevers: 3 }
        : h.hour === 9
          ? { ...h, allowed: 40, denied: 0, fevers: 0 }
          : h,
    );
    const svg = hourlyChartSvg(hours, "北门 <North>");
    const [allowed8, allowed9] = shapes(svg, "allowed");
    const [denied8] = shapes(svg, "denied");
    const plot = CHART.height - CHART.top - CHART.bottom;
    // Axis maximum 100 for a busiest hour of 80.
    expect(allowed8?.height).toBeCloseTo((60 / 100) * plot, 0);
    expect(allowed9?.height).toBeCloseTo((40 / 100) * plot, 0);
    expect(denied8?.height).toBeCloseTo((20 / 100) * plot, 0);
    expect((denied8?.y ?? 0) + (denied8?.height ?? 0)).toBeCloseTo(allowed8?.y ?? 0, 0);
    expect(allowed8?.x).toBe(denied8?.x);
    expect(allowed9?.x).toBeGreaterThan(allowed8?.x ?? 0);
    expect(shapes(svg, "denied")).toHaveLength(1);
    expect(svg).toContain('class="fever" data-hour="8">▲3<');
    // The label is text, never markup.
    expect(svg).toContain("北门 &lt;North&gt;");
    expect(svg).not.toContain("<North>");
  });
});
