#!/usr/bin/env node
// Builds (npm run build) only when a source is newer than the last build, so `npm start`,
// `npm run demo` and `npm run sim` start at once on a built tree and still never run old code.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const stamp = join(root, "dist", ".built");
const SOURCES = [
  "common",
  "gateway",
  "district",
  "kiosk-ui",
  "firmware-sim",
  "bench",
  "soak",
  "scripts",
];
const FILES = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

// `--stamp`: the build itself says it is done (the last step of `npm run build`).
if (process.argv.includes("--stamp")) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

const sources = Math.max(...[...SOURCES, ...FILES].map((path) => newest(join(root, path))));
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (sources > built) {
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
