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

  it("is linked from the README", () => {
    expect(readme).toContain("(docs/contract.md)");
  });
});
