#!/usr/bin/env node
// Writes a .br and a .gz beside every text asset of the built pages (dist/kiosk-ui), so the
// gateway serves them compressed without compressing on each request (gateway/api/static.ts).
// Audio is compressed already and is left alone.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = new URL("../dist/kiosk-ui/", import.meta.url).pathname;
const TEXT = new Set([".html", ".js", ".css", ".svg", ".json"]);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.has(extname(name))) yield path;
  }
}

for (const path of files(root)) {
  const bytes = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}
