import { request } from "node:http";
import mqtt from "mqtt";
import { deviceTopic } from "../gateway/mqtt/contract.js";
import { DEVICE_PASSWORD, startGateway, stop } from "./harness.js";

/**
 * The pages as a browser gets them: bytes transferred for each page with everything it loads
 * (compressed as served, and plain for the ratio), and on the kiosk the time from opening the
 * page to live, and from a reading's publish to it on screen, in Debian's Chromium with the CPU
 * throttled 6x (a cheap gate screen) beside unthrottled.
 */
export interface PageBytes {
  page: string;
  compressed: number;
  plain: number;
  files: number;
}

export interface KioskTimes {
  throttle: number;
  readyMs: number;
  shownMs: number;
}

function get(port: number, path: string, encoding: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: { "accept-encoding": encoding } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function pageBytes(port: number, page: string): Promise<PageBytes> {
  const html = (await get(port, page, "identity")).toString();
  const assets = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1] as string);
  const files = [page, ...new Set(assets)];
  let compressed = 0;
  let plain = 0;
  for (const file of files) {
    compressed += (await get(port, file, "br, gzip")).length;
    plain += (await get(port, file, "identity")).length;
  }
  return { page, compressed, plain, files: files.length };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function pageFigures(
  dist: string,
  dir: string,
  quick: boolean,
): Promise<{ bytes: PageBytes[]; kiosk: KioskTimes[] | string }> {
  const target = await startGateway(dist, dir, 1);
  try {
    const bytes = [];
    for (const page of ["/kiosk", "/guard", "/admin"])
      bytes.push(await pageBytes(target.httpPort, page));
    return { bytes, kiosk: await kioskTimes(target.httpPort, target.mqttPort, quick ? 2 : 5) };
  } finally {
    await stop(target.child);
  }
}

async function kioskTimes(
  httpPort: number,
  mqttPort: number,
  runs: number,
): Promise<KioskTimes[] | string> {
  let playwright: typeof import("playwright-core");
  try {
    playwright = await import("playwright-core");
  } catch {
    return "skipped: playwright-core is not installed (npm ci installs it)";
  }
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  const browser = await playwright.chromium
    .launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
    })
    .catch(() => null);
  if (!browser) return `skipped: no Chromium at ${executablePath} (apt-get install chromium)`;
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    username: "thermo-0",
    password: DEVICE_PASSWORD,
  });
  const results: KioskTimes[] = [];
  try {
    for (const throttle of [1, 6]) {
      const ready: number[] = [];
      const shown: number[] = [];
      for (let run = 0; run < runs; run++) {
        const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
        const opened = performance.now();
        await page.goto(`http://127.0.0.1:${httpPort}/kiosk?checkpoint=gate-1`);
        await page.locator('body[data-connection="online"]').waitFor();
        ready.push(performance.now() - opened);
        // A new value each run, so the screen must change to show it.
        const temp = 36.1 + run / 10;
        const published = performance.now();
        await device.publishAsync(
          deviceTopic("thermo-0", "temperature"),
          JSON.stringify({ temp_c: temp }),
          { qos: 1 },
        );
        await page
          .locator("#temperature", { hasText: `${temp.toFixed(1)}°C` })
          .waitFor({ timeout: 30_000 });
        shown.push(performance.now() - published);
        await context.close();
      }
      results.push({ throttle, readyMs: median(ready), shownMs: median(shown) });
    }
  } finally {
    await device.endAsync(true);
    await browser.close();
  }
  return results;
}
