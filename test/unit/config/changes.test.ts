import { describe, expect, it } from "vitest";
import { configChanges, isLiveSetting, redactSecrets } from "../../../gateway/config/changes.js";
import { validateConfig } from "../../../gateway/config/load.js";

const base = () =>
  validateConfig({
    gateway_id: "gw-1",
    admin_password: "first-admin-pass",
    checkpoints: [
      { id: "gate-1", name: "North gate" },
      { id: "gate-2", name: "South gate", screening: { fever_above_c: 37.5 } },
    ],
    devices: [
      { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: "device-pass-1" },
    ],
    upstream: { url: "mqtt://district:1883", username: "gw-1", password: "upstream-pass" },
  });

describe("config changes", () => {
  it("finds nothing between a config and itself", () => {
    expect(configChanges(base(), base())).toEqual([]);
  });

  it.each([
    [
      "site screening",
      (c) => ({ ...c, screening: { ...c.screening, fever_above_c: 37.5 } }),
      ["screening.fever_above_c"],
    ],
    [
      "a checkpoint's screening",
      (c) => ({
        ...c,
        checkpoints: c.checkpoints.map((k) =>
          k.id === "gate-2" ? { ...k, screening: { fever_above_c: 37.6 } } : k,
        ),
      }),
      ["checkpoints[gate-2].screening.fever_above_c"],
    ],
    [
      "a checkpoint's name",
      (c) => ({
        ...c,
        checkpoints: c.checkpoints.map((k) => (k.id === "gate-1" ? { ...k, name: "北门" } : k)),
      }),
      ["checkpoints[gate-1].name"],
    ],
    [
      "a device added",
      (c) => ({ ...c, devices: [...c.devices, { ...c.devices[0], id: "thermo-9" }] }),
      ["devices[thermo-9]"],
    ],
    [
      "a checkpoint removed",
      (c) => ({ ...c, checkpoints: c.checkpoints.slice(0, 1) }),
      ["checkpoints[gate-2]"],
    ],
    ["the checkpoints reordered", (c) => ({ ...c, checkpoints: [...c.checkpoints].reverse() }), []],
    [
      "a password",
      (c) => ({ ...c, upstream: { ...c.upstream, password: "new-pass" } }),
      ["upstream.password"],
    ],
    [
      "retention and log level",
      (c) => ({ ...c, retention_days: 14, log_level: "debug" }),
      ["log_level", "retention_days"],
    ],
    ["the HTTP port", (c) => ({ ...c, http: { ...c.http, port: 9090 } }), ["http.port"]],
  ] as [string, (c: ReturnType<typeof base>) => unknown, string[]][])(
    "names %s by its path",
    (_name, change, paths) => {
      // Both sides validated, as a reload compares them (defaults filled in).
      expect(configChanges(base(), validateConfig(change(base())))).toEqual(paths);
    },
  );

  it.each([
    ["screening.fever_above_c", true],
    ["screening", true],
    ["checkpoints[gate-2].screening.comparator", true],
    ["checkpoints[gate-2].screening", true],
    ["retention_days", true],
    ["log_level", false],
    ["checkpoints[gate-2]", false],
    ["checkpoints[gate-2].name", false],
    ["checkpoints[gate-2].screeningx", false],
    ["devices[thermo-1].offset_c", false],
    ["http.port", false],
    ["upstream.url", false],
    ["screeningx", false],
  ])("%s applies at once: %s", (path, live) => {
    expect(isLiveSetting(path)).toBe(live);
  });

  it("hides every password from the config view, and nothing else", () => {
    const shown = JSON.stringify(redactSecrets(base()));
    for (const secret of ["first-admin-pass", "device-pass-1", "upstream-pass"])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('"password":"***"');
    expect(shown).toContain('"admin_password":"***"');
    expect(shown).toContain("mqtt://district:1883");
    expect(shown).toContain('"username":"gw-1"');
  });
});
