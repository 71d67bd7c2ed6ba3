import { existsSync, readFileSync } from "node:fs";

/**
 * This gateway's version, from its package.json: `../package.json` from the sources,
 * `../../package.json` from `dist/` (read as a file, so `--version` loads nothing else).
 */
export function gatewayVersion(): string {
  for (const relative of ["../../package.json", "../../../package.json"]) {
    const url = new URL(relative, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "checkpoint-gateway" && pkg.version) return pkg.version;
  }
  return "unknown";
}
