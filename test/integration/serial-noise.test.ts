import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { PtyPair } from "../../firmware-sim/serial/pty.js";
import { isPassText } from "../../gateway/devices/qr-line/index.js";
import { eventually } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

let dir: string;
let pair: PtyPair | undefined;
let gateway: GatewayProcess | undefined;
afterAll(async () => {
  if (gateway) await stopProcess(gateway.child, "SIGKILL");
  await pair?.unplug();
  rmSync(dir, { recursive: true, force: true });
});

describe("line noise on a QR scanner's port (a real gateway process on a socat pty)", () => {
  it("counts noise as bad frames, not as scans: no flood of unknown passes for the guard", async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-noise-"));
    pair = PtyPair.inDir(dir, "scanner");
    await pair.plug();
    const dbPath = join(dir, "checkpoint.db");
    gateway = await spawnGateway(
      dir,
      processConfig(dir, "gw-noise", {
        checkpoints: [{ id: "gate-1", name: "Gate", mode: "pass_and_temperature" }],
        devices: [
          {
            id: "scanner-1",
            checkpoint: "gate-1",
            transport: "serial",
            protocol: "qr-line",
            path: pair.gatewayPath,
          },
        ],
      }),
    );
    const scans = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare("SELECT pass_id FROM scans ORDER BY seq").pluck().all() as string[];
      } finally {
        db.close();
      }
    };
    // Wait until the port is open (the device is online), then send 256 KiB of noise in pieces
    // and one real code after it.
    await eventually(async () => {
      const health = (await (
        await fetch(`http://127.0.0.1:${gateway?.httpPort}/api/health`)
      ).json()) as { devices: { id: string; online: boolean }[] };
      return health.devices.find((d) => d.id === "scanner-1")?.online ? true : undefined;
    }, 10_000);
    const device = openSync(pair.devicePath, "w");
    let seed = 11;
    for (let chunk = 0; chunk < 64; chunk++) {
      const noise = Buffer.alloc(4096).map(() => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed >> 16;
      });
      writeSync(device, noise);
    }
    writeSync(device, Buffer.from("\rRES-7F3A-2291\r"));
    closeSync(device);
    await eventually(() => (scans().includes("RES-7F3A-2291") ? true : undefined), 15_000);
    const stored = scans();
    // Before: thousands of scans (each an unknown_pass alert at this gate) from noise like this.
    expect(stored.length).toBeLessThan(20);
    for (const code of stored) expect(isPassText(code)).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    const bad = [
      ...metrics.matchAll(/^checkpoint_bad_frames_total\{[^}]*device="scanner-1"[^}]*\} (\d+)/gm),
    ].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(bad).toBeGreaterThan(100);
  });
});
