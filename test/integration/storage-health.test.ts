import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD, eventually, login, metricValue } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

let dir: string | undefined;
let gateway: GatewayProcess | undefined;
let mounted: string | undefined;
afterEach(async () => {
  if (gateway) await stopProcess(gateway.child, "SIGKILL");
  gateway = undefined;
  if (mounted) execFileSync("umount", [mounted]);
  mounted = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const config = (dbPath: string) =>
  processConfig(
    dir as string,
    "gw-disk",
    {
      checkpoints: [{ id: "gate-1", name: "Gate" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    },
    { database: { path: dbPath } },
  );

async function health(running: GatewayProcess) {
  const response = await fetch(`http://127.0.0.1:${running.httpPort}/api/health`);
  const body = (await response.json()) as {
    status: string;
    db: { ok: boolean; write_error: string | null };
  };
  return { code: response.status, ...body };
}

/**
 * Publishes until a reading is not acknowledged: the gateway refuses it and the broker closes
 * the device's connection instead of sending the PUBACK. Resolves with how many were.
 */
async function publishUntilRefused(running: GatewayProcess, most: number): Promise<number> {
  const thermo: MqttClient = await connectDevice(
    `mqtt://127.0.0.1:${running.mqttPort}`,
    "thermo-1",
  );
  const closed = new Promise<"closed">((resolve) => thermo.once("close", () => resolve("closed")));
  try {
    for (let i = 0; i < most; i++) {
      const outcome = await Promise.race([
        publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.6,
          msg_id: `fill-${i}-${"x".repeat(100)}`,
        }).then(() => "acknowledged" as const),
        closed,
      ]);
      if (outcome === "closed") return i;
    }
    throw new Error(`all ${most} readings were acknowledged`);
  } finally {
    thermo.end(true);
  }
}

describe("storage health (a real gateway process)", () => {
  it("refuses to acknowledge into a database file deleted under it, and health says so (503)", async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-gone-"));
    const dbPath = join(dir, "checkpoint.db");
    gateway = await spawnGateway(dir, config(dbPath));
    expect((await health(gateway)).code).toBe(200);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
    expect(await publishUntilRefused(gateway, 5)).toBe(0);
    const after = await health(gateway);
    expect(after).toMatchObject({ code: 503, status: "degraded", db: { ok: false } });
    expect(after.db.write_error).toMatch(/is gone/);
    expect(
      await metricValue(`http://127.0.0.1:${gateway.httpPort}`, "checkpoint_store_writable"),
    ).toBe(0);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "says a full disk in health and metrics, acknowledges nothing meanwhile, and recovers when space returns (needs root for a tmpfs)",
    async () => {
      dir = mkdtempSync(join(tmpdir(), "cg-full-"));
      const disk = join(dir, "disk");
      mkdirSync(disk);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk]);
      mounted = disk;
      gateway = await spawnGateway(dir, config(join(disk, "checkpoint.db")));
      const url = `http://127.0.0.1:${gateway.httpPort}`;
      const token = await login(url);
      // Fill what is left of the disk.
      const filler = join(disk, "filler");
      let size = 2 * 1024 * 1024;
      while (size > 4096) {
        try {
          writeFileSync(filler, Buffer.alloc(size), { flag: "a" });
        } catch {
          size = Math.floor(size / 2);
        }
      }
      await publishUntilRefused(gateway, 5000);
      const full = await health(gateway);
      expect(full).toMatchObject({ code: 503, status: "degraded", db: { ok: false } });
      expect(full.db.write_error).toMatch(/full|disk/i);
      // An admin's or guard's write is told the truth: 503, try again, nothing changed.
      const refused = await fetch(`${url}/api/passes`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ pass_id: "0012345678", holder_name: "王小明" }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(((await refused.json()) as { error: string }).error).toMatch(/^存储暂不可写.*disk/);
      expect(await metricValue(url, "checkpoint_store_writable")).toBe(0);
      expect(await metricValue(url, "checkpoint_store_errors_total")).toBeGreaterThan(0);
      // Space again: the next reading is acknowledged and health is ok again.
      rmSync(filler);
      const thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
      await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), { temp_c: 36.6 });
      await thermo.endAsync(true);
      await eventually(async () =>
        (await health(gateway as GatewayProcess)).code === 200 ? true : undefined,
      );
      expect(await metricValue(url, "checkpoint_store_writable")).toBe(1);
      const written = await fetch(`${url}/api/passes`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ pass_id: "0012345678", holder_name: "王小明" }),
      });
      expect(written.status).toBe(201);
    },
  );
});
