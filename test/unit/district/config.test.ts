import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadDistrictConfig } from "../../../district/config.js";

/** The district's config: the contract's keys, today's older keys as aliases, DISTRICT_ overrides. */
const dir = mkdtempSync(join(tmpdir(), "cg-district-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function load(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `${++files}.yaml`);
  writeFileSync(
    file,
    stringify({
      broker: { url: "mqtt://127.0.0.1:1883" },
      database: { url: "postgres://127.0.0.1/district" },
      ...config,
    }),
  );
  return loadDistrictConfig(file, env);
}

describe("the district's config", () => {
  it("reads the contract's example", () => {
    const config = load({
      district_id: "fengtai",
      http: { host: "0.0.0.0", port: 8090 },
      broker: {
        url: "mqtt://district-broker:1883",
        username: "district",
        password: "secret",
        topic_prefix: "district",
        share_group: "district-centre",
        workers: 2,
      },
      admin_password: "a-long-password",
    });
    expect(config).toMatchObject({
      district_id: "fengtai",
      http: { host: "0.0.0.0", port: 8090 },
      broker: { share_group: "district-centre", workers: 2 },
      admin_password: "a-long-password",
      retention_days: 28,
    });
  });

  it.each([
    ["console.port", { console: { port: 8091 } }, { http: { port: 8091 } }],
    ["console.host", { console: { host: "127.0.0.1" } }, { http: { host: "127.0.0.1" } }],
    [
      "console.admin_password",
      { console: { admin_password: "older-key-pass" } },
      { admin_password: "older-key-pass" },
    ],
    [
      "broker.group",
      { broker: { url: "mqtt://b", group: "older" } },
      { broker: { share_group: "older" } },
    ],
    [
      "console.port beside http.port (the contract's key wins)",
      { console: { port: 1 }, http: { port: 2 } },
      { http: { port: 2 } },
    ],
  ])("takes the older key %s as an alias", (_name, config, expected) => {
    expect(load(config)).toMatchObject(expected);
  });

  it("takes DISTRICT_ overrides, a number where the schema has one", () => {
    const config = load(
      { http: { port: 8090 } },
      {
        DISTRICT_HTTP__PORT: "9000",
        DISTRICT_ADMIN_PASSWORD: "12345678",
        DISTRICT_BROKER__SHARE_GROUP: "from-env",
        CHECKPOINT_HTTP__PORT: "1",
      },
    );
    expect(config.http.port).toBe(9000);
    expect(config.admin_password).toBe("12345678");
    expect(config.broker.share_group).toBe("from-env");
  });

  it("names each bad field, env overrides included", () => {
    expect(() =>
      load({ broker: { url: "mqtt://b", workers: 0 } }, { DISTRICT_HTTP__PORT: "not-a-port" }),
    ).toThrow(/broker\.workers: .*\n.*http\.port: |http\.port: .*\n.*broker\.workers: /s);
  });
});
