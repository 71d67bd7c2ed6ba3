import { existsSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import express, { type NextFunction, type Request, type Response, Router } from "express";

/** `/kiosk` and its assets (docs/contract.md#pages). */
export function pagesRouter(uiDir: string | null): Router {
  const router = Router();
  if (uiDir === null) {
    router.get("/kiosk", (_req, res) => {
      res.status(503).type("text/plain").send("kiosk pages are not built: run `npm run build`");
    });
    return router;
  }
  router.use("/ui", precompressed(uiDir), express.static(uiDir, { index: false, maxAge: "1h" }));
  const page = (file: string) => (req: Request, res: Response) =>
    sendCompressed(req, res, join(uiDir, file), 0);
  router.get("/kiosk", page("kiosk.html"));
  router.get("/guard", page("guard.html"));
  router.get("/admin", page("admin.html"));
  // Browsers ask for /favicon.ico on every page whatever the page links.
  router.get("/favicon.ico", (_req, res) =>
    res.type("image/svg+xml").sendFile(join(uiDir, "favicon.svg")),
  );
  router.get("/", (_req, res) => res.redirect("/kiosk?checkpoint=gate-1"));
  return router;
}

/** Encodings built beside each text asset (scripts/precompress.mjs), best first. */
const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

/**
 * Serves the brotli or gzip file built beside an asset when the browser takes it: a kiosk on a
 * slow link loads a third of the bytes, and the gateway spends no CPU compressing per request.
 * Anything else falls through to express.static.
 */
function precompressed(uiDir: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const file = resolve(uiDir, `.${decodeURIComponent(req.path)}`);
    if (!file.startsWith(uiDir + sep)) return next();
    if (!sendCompressed(req, res, file, 3600_000)) next();
  };
}

/** Sends `file` compressed if a compressed copy exists and is accepted; false when it did not. */
function sendCompressed(req: Request, res: Response, file: string, maxAgeMs: number): boolean {
  const encoding = ENCODINGS.find(
    (e) => req.acceptsEncodings(e.name) === e.name && existsSync(file + e.suffix),
  );
  res.vary("Accept-Encoding");
  if (!encoding) {
    if (maxAgeMs === 0 && existsSync(file)) {
      res.sendFile(file);
      return true;
    }
    return false;
  }
  res.type(extname(file));
  res.setHeader("Content-Encoding", encoding.name);
  res.sendFile(file + encoding.suffix, { maxAge: maxAgeMs });
  return true;
}
