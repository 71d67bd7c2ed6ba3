import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../firmware-sim/parts/project-root.js";

/**
 * A capture in test/fixtures/ (its README names the sources): its text without the leading `# `
 * source lines and the first blank line after them, with LF or with CRLF line ends.
 */
export function capture(path: string, lineEnd: "\n" | "\r\n" = "\n"): string {
  const lines = readFileSync(join(PROJECT_ROOT, "test/fixtures", path), "utf8")
    .replace(/\r\n/g, "\n")
    .split("\n");
  let first = 0;
  while (lines[first]?.startsWith("#")) first += 1;
  if (lines[first] === "") first += 1;
  return lines.slice(first).join(lineEnd);
}
