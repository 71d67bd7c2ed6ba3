import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import express, { Router } from "express";

/**
 * The built kiosk pages: `dist/kiosk-ui`, found from this file whether it runs from source
 * (`gateway/api/`) or compiled (`dist/gateway/api/`).
 */
export function findUiDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, "../../kiosk-ui"), resolve(here, "../../dist/kiosk-ui")];
  // The source folder kiosk-ui/ has a kiosk.html too; only a build has assets/.
  return (
    candidates.find(
      (dir) => existsSync(join(dir, "kiosk.html")) && existsSync(join(dir, "assets")),
    ) ?? null
  );
}

/** `/kiosk` and its assets (SPEC 8). */
export function pagesRouter(uiDir: string | null): Router {
  const router = Router();
  if (uiDir === null) {
    router.get("/kiosk", (_req, res) => {
      res.status(503).type("text/plain").send("kiosk pages are not built: run `npm run build`");
    });
    return router;
  }
  router.use("/ui", express.static(uiDir, { index: false, maxAge: "1h" }));
  router.get("/kiosk", (_req, res) => res.sendFile(join(uiDir, "kiosk.html")));
  router.get("/guard", (_req, res) => res.sendFile(join(uiDir, "guard.html")));
  router.get("/admin", (_req, res) => res.sendFile(join(uiDir, "admin.html")));
  // Browsers ask for /favicon.ico on every page whatever the page links.
  router.get("/favicon.ico", (_req, res) =>
    res.type("image/svg+xml").sendFile(join(uiDir, "favicon.svg")),
  );
  router.get("/", (_req, res) => res.redirect("/kiosk?checkpoint=gate-1"));
  return router;
}
