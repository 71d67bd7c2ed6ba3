import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../helpers/process.js";

const UNIT = join(PROJECT_ROOT, "docs/systemd/checkpoint-gateway.service");
const dir = mkdtempSync(join(tmpdir(), "cg-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `systemd-analyze verify`: exit 0 and not one warning (it only warns on unknown keys). */
function verify(text: string, name = "checkpoint-gateway.service") {
  const file = join(dir, name);
  writeFileSync(file, text);
  const result = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  return { code: result.status, said: `${result.stdout}${result.stderr}`.trim() };
}

/** The unit as installed: pointed at this machine's node and this checkout's build. */
const installed = () =>
  readFileSync(UNIT, "utf8")
    .replace("/usr/bin/node", process.execPath)
    .replaceAll("/opt/checkpoint-gateway", PROJECT_ROOT);

describe("the systemd service unit", () => {
  it("verifies without a warning", () => {
    expect(verify(installed())).toEqual({ code: 0, said: "" });
  });

  it("is checked for real: a misspelt key or a missing program is caught", () => {
    expect(
      verify(installed().replace("ProtectSystem=", "ProtectSystm="), "a.service").said,
    ).toMatch(/Unknown key 'ProtectSystm'/);
    expect(
      verify(installed().replace(process.execPath, "/nonexistent/node"), "b.service").code,
    ).not.toBe(0);
  });

  it("runs as its own user with the serial ports' group, restarts on failure, and is hardened", () => {
    const unit = readFileSync(UNIT, "utf8");
    for (const line of [
      "User=checkpoint",
      "SupplementaryGroups=dialout",
      "Restart=on-failure",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "StateDirectory=checkpoint-gateway",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "CapabilityBoundingSet=",
      "DevicePolicy=closed",
      "DeviceAllow=char-ttyUSB rw",
    ])
      expect(unit.split("\n")).toContain(line);
  });
});
