import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Builds the pages into dist/kiosk-ui, served by the gateway under /ui (assets) and /kiosk. */
export default defineConfig({
  root,
  base: "/ui/",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/kiosk-ui", import.meta.url)),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        kiosk: fileURLToPath(new URL("kiosk.html", import.meta.url)),
        guard: fileURLToPath(new URL("guard.html", import.meta.url)),
        admin: fileURLToPath(new URL("admin.html", import.meta.url)),
        district: fileURLToPath(new URL("district.html", import.meta.url)),
      },
    },
  },
});
