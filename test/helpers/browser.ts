import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { PROJECT_ROOT } from "./process.js";

/** Debian's Chromium (`apt-get install chromium`), never a browser that a tool downloads. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = join(PROJECT_ROOT, "test-results/screenshots");

export function launchChromium(options: { autoplay?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // A kiosk is launched like this so it speaks without a tap (README); a browser left at
      // its default blocks sound until a touch.
      ...(options.autoplay === false
        ? ["--autoplay-policy=document-user-activation-required"]
        : ["--autoplay-policy=no-user-gesture-required"]),
    ],
  });
}

/** Saves a screenshot under test-results/screenshots for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A piece of visible text the person cannot read whole: outside the screen, or too small. */
export interface LayoutProblem {
  text: string;
  problem: string;
}

/**
 * What a person would not see whole on this screen: every visible text run whose box lies
 * (even partly) outside the viewport (or only beyond its sides, for a page that scrolls) or is smaller than `minFontPx`, and a page wider than the
 * screen (sideways scrolling). Runs in the page (plain JavaScript: the tests' own types have no
 * DOM).
 */
export function layoutProblems(
  page: Page,
  minFontPx: number,
  /** "screen": everything within the viewport (a kiosk); "width": nothing sideways (a page that scrolls). */
  fit: "screen" | "width" = "screen",
): Promise<LayoutProblem[]> {
  return page.evaluate(
    `(${LAYOUT_PROBLEMS})(${Number(minFontPx)}, ${fit === "screen" ? "true" : "false"})`,
  );
}

const LAYOUT_PROBLEMS = `(minPx, vertical) => {
  const problems = [];
  const width = window.innerWidth;
  const height = window.innerHeight;
  if (document.documentElement.scrollWidth > width + 1)
    problems.push({
      text: "(page)",
      problem: "page is " + document.documentElement.scrollWidth + " px wide on a " + width + " px screen",
    });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent || "").trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("[hidden], script, style, template")) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width === 0 || rect.height === 0) continue;
      const sideways = rect.left < -1 || rect.right > width + 1;
      if (sideways || (vertical && (rect.top < -1 || rect.bottom > height + 1)))
        problems.push({
          text,
          problem: "outside the screen at " + [rect.left, rect.top, rect.right, rect.bottom].map(Math.round).join(","),
        });
    }
    if (Number.parseFloat(style.fontSize) < minPx) problems.push({ text, problem: style.fontSize + " text" });
  }
  return problems;
}`;
