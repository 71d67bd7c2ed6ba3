import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRIORITY } from "../../../common/upstream-routes.js";
import {
  ALERT_KINDS,
  ALERT_STATES,
  DISPOSITIONS,
  PASSAGE_REASONS,
} from "../../../gateway/domain/types.js";
import { KIOSK_FIELDS } from "../../../gateway/live/messages.js";
import { DEVICE_MESSAGE_KINDS } from "../../../gateway/mqtt/contract.js";
import { PROJECT_ROOT } from "../../helpers/process.js";

/** docs/contract.md is held to the code's own lists, so the reference cannot fall behind. */
const doc = readFileSync(join(PROJECT_ROOT, "docs/contract.md"), "utf8");
const appSource = readFileSync(join(PROJECT_ROOT, "gateway/api/app.ts"), "utf8");
const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
const named = (word: string) => doc.includes(`\`${word}\``);

describe("the contract reference (docs/contract.md)", () => {
  it.each([
    ["device message kinds", DEVICE_MESSAGE_KINDS],
    ["live message types", Object.keys(KIOSK_FIELDS)],
    ["passage reasons", PASSAGE_REASONS],
    ["alert kinds", ALERT_KINDS],
    ["alert states", ALERT_STATES],
    ["dispositions", DISPOSITIONS],
    ["upstream kinds", Object.keys(PRIORITY)],
  ] as const)("names every one of the %s", (_, words) => {
    expect(words.filter((word) => !named(word))).toEqual([]);
  });

  it("lists every API route the gateway mounts", () => {
    const mounted = [...appSource.matchAll(/"(\/api\/[a-z/]+|\/metrics)"/g)].map(
      (m) => m[1] as string,
    );
    expect(mounted.length).toBeGreaterThan(10);
    expect(mounted.filter((route) => !doc.includes(route))).toEqual([]);
  });

  it("lists every route of the district's API", () => {
    const source = (file: string) =>
      readFileSync(join(PROJECT_ROOT, "district/console", file), "utf8");
    const routes = (file: string, prefix: string) =>
      [...source(file).matchAll(/router\.(?:get|post)\("(\/[a-z./]+)"/g)].map(
        (m) => `${prefix}${m[1]}`,
      );
    const mounted = [
      ...routes("api.ts", "/api/district"),
      ...routes("export.ts", "/api/district/export"),
      ...routes("auth.ts", "/api/auth"),
      "/live/district",
    ];
    expect(mounted.length).toBeGreaterThan(8);
    expect(source("server.ts")).toMatch(/"\/api\/district", member, districtApiRouter/);
    expect(source("live.ts")).toContain('"/live/district"');
    expect(mounted.filter((route) => !doc.includes(route))).toEqual([]);
  });

  it("is linked from the README", () => {
    expect(readme).toContain("(docs/contract.md)");
  });
});

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

describe("citations in the code and the docs", () => {
  const tracked = execFileSync("git", ["ls-files"], { cwd: PROJECT_ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => /\.(ts|mjs|md|html|css|sh|yaml|conf|acl|service)$/.test(file));
  const anchors = (doc: string) =>
    new Set(
      readFileSync(join(PROJECT_ROOT, "docs", doc), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("#"))
        .map((line) => anchorOf(line.replace(/^#+\s*/, ""))),
    );
  const known = { "contract.md": anchors("contract.md"), "fleet.md": anchors("fleet.md") };

  it("point at sections of docs/contract.md and docs/fleet.md that exist", () => {
    const broken: string[] = [];
    for (const file of tracked) {
      const text = readFileSync(join(PROJECT_ROOT, file), "utf8");
      for (const match of text.matchAll(/(contract|fleet)\.md#([a-z0-9-]+)/g)) {
        const doc = `${match[1]}.md` as keyof typeof known;
        if (!known[doc].has(match[2] ?? "")) broken.push(`${file}: ${match[0]}`);
      }
    }
    expect(broken).toEqual([]);
    expect(known["contract.md"].has("http-api")).toBe(true);
  });

  it("name no specification or style rule the repository does not hold", () => {
    const bare = tracked.filter((file) =>
      /\b(SPEC|STYLE) \d/.test(readFileSync(join(PROJECT_ROOT, file), "utf8")),
    );
    expect(bare).toEqual([]);
  });
});
