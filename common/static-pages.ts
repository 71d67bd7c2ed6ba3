import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built kiosk pages: `dist/kiosk-ui`, found from this file whether it runs from source
 * (`common/`) or compiled (`dist/common/`): the gateway and the district serve them.
 */
export function findUiDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, "../kiosk-ui"), resolve(here, "../dist/kiosk-ui")];
  // The source folder kiosk-ui/ has a kiosk.html too; only a build has assets/.
  return (
    candidates.find(
      (dir) => existsSync(join(dir, "kiosk.html")) && existsSync(join(dir, "assets")),
    ) ?? null
  );
}
