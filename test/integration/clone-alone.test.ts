import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../helpers/process.js";

/**
 * The repository stands alone: a `git clone` into a folder with nothing beside it passes its
 * unit tests (nothing reads or links outside the repository). The clone shares this checkout's
 * installed node_modules, so no network is needed.
 */
const parent = mkdtempSync(join(tmpdir(), "cg-clone-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("a clone with nothing beside it", () => {
  it("passes every unit test", () => {
    expect(existsSync(join(PROJECT_ROOT, ".git")), "this checkout is a git repository").toBe(true);
    const repo = join(parent, "checkpoint-gateway");
    const clone = spawnSync("git", ["clone", "--quiet", PROJECT_ROOT, repo], { encoding: "utf8" });
    expect(clone.status, clone.stderr).toBe(0);
    expect(readdirSync(parent)).toEqual(["checkpoint-gateway"]);
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(repo, "node_modules"));
    const run = spawnSync(
      process.execPath,
      [join(repo, "node_modules/vitest/vitest.mjs"), "run", "test/unit", "--reporter=dot"],
      {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
      },
    );
    const said = `${run.stdout}${run.stderr}`;
    expect(run.status, said.slice(-2000)).toBe(0);
    expect(said).toMatch(/Tests\s+\d+ passed/);
    expect(said).not.toMatch(/failed|skipped/);
  }, 240_000);
});
