import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "../helpers/browser.js";
import { RestartableGateway } from "../helpers/restartable.js";

/**
 * The entrant's screen speaks its result, and says plainly when the browser keeps it silent.
 */
const gw = new RestartableGateway();
const browsers: Browser[] = [];

beforeAll(async () => {
  await gw.start();
});
afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await gw.close();
});

async function kiosk(autoplay: boolean): Promise<{ page: Page; fetched: string[] }> {
  const browser = await launchChromium({ autoplay });
  browsers.push(browser);
  const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  const fetched: string[] = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/ui/voice/") && response.ok()) fetched.push(path);
  });
  await page.goto(`${gw.httpUrl}/kiosk?checkpoint=gate-1`);
  await page.locator('body[data-connection="online"]').waitFor();
  return { page, fetched };
}

describe("the entrant's screen speaks", () => {
  it("says a fever in Chinese then English, then sounds the tone, where sound is allowed", async () => {
    const { page, fetched } = await kiosk(true);
    await page.locator('body[data-sound="on"]').waitFor();
    await expect(page.locator("#sound-needed").isHidden()).resolves.toBe(true);
    await gw.temperature(38.4);
    await page.locator('body[data-voice="fever"]').waitFor();
    // The tone follows the prompts, so it sounding means both were played to their end.
    await page.locator('body[data-tone="fever"]').waitFor({ timeout: 15_000 });
    expect(fetched).toEqual(
      expect.arrayContaining(["/ui/voice/fever.zh.ogg", "/ui/voice/fever.en.ogg"]),
    );
    expect(fetched.indexOf("/ui/voice/fever.zh.ogg")).toBeLessThan(
      fetched.indexOf("/ui/voice/fever.en.ogg"),
    );
    await gw.temperature(36.5);
    await page.locator('body[data-voice="normal"]').waitFor();
    await expect(page.locator("body").getAttribute("data-tone")).resolves.toBe("none");
  });

  it("asks for a tap while the browser blocks sound, and drops the request once sound plays", async () => {
    const { page } = await kiosk(false);
    await page.locator('body[data-sound="blocked"]').waitFor();
    const button = page.locator("#sound-needed");
    await expect(button.isVisible()).resolves.toBe(true);
    await expect(button.textContent()).resolves.toContain("轻触开启声音");
    await expect(button.textContent()).resolves.toContain("Tap to enable sound");
    await screenshot(page, "kiosk-sound-blocked-portrait");
    await page.mouse.click(540, 960);
    await page.locator('body[data-sound="on"]').waitFor();
    await expect(button.isHidden()).resolves.toBe(true);
    await gw.temperature(36.6);
    await page.locator('body[data-voice="normal"]').waitFor();
    await expect(page.locator('body[data-sound="on"]').count()).resolves.toBe(1);
  });
});
