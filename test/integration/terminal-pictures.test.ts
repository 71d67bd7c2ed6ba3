import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hikvisionHeartbeat,
  hikvisionMultipart,
  hikvisionNotification,
} from "../../gateway/devices/hikvision-isapi/encode.js";
import { metricValue } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";
import { hikvisionDevice, oneGateSite, terminalPost } from "../helpers/terminals.js";

/**
 * Kept pictures against a real gateway process (issue reports: a synchronous write threw ENOSPC
 * past every handler and the gateway exited; 71 of 200 concurrent pictures overwritten; pictures
 * of heartbeats and refused notifications kept; none matched to its event; never deleted).
 */
const site = oneGateSite([hikvisionDevice("hik-1", { keep_pictures: true })]);

/** A JPEG-looking picture of `size` bytes that says which serial it belongs to. */
function picture(serialNo: number, size = 2048): Buffer {
  const bytes = Buffer.alloc(size, serialNo % 251);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  bytes.writeUInt32BE(serialNo, 4);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

function postPicture(gateway: GatewayProcess, json: string, pictures: Buffer[]) {
  const { body, contentType } = hikvisionMultipart(json, pictures);
  return terminalPost(gateway.httpPort, "hik-1", body, contentType);
}
const event = (serialNo: number) =>
  hikvisionNotification({ serialNo, tempC: 36.6, dateTime: new Date().toISOString() });

const health = async (gateway: GatewayProcess) =>
  (await (await fetch(`http://127.0.0.1:${gateway.httpPort}/api/health`)).json()) as {
    pictures: { kept: number; bytes: number; max_bytes: number; error: string | null };
  };

describe("kept pictures", () => {
  let dir: string;
  let gateway: GatewayProcess;
  const folder = () => join(dir, "pictures", "hik-1");
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-pictures-"));
    gateway = await spawnGateway(
      dir,
      processConfig(dir, "gw-pic", site, { pictures: { max_mb: 1 } }),
    );
  });
  afterAll(async () => {
    await stopProcess(gateway.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("200 at once: each named by its event's seq, none overwritten; none for a heartbeat, a refused notification or a repeat", async () => {
    const events = Array.from({ length: 200 }, (_, i) => event(i + 1));
    const answers = await Promise.all(
      events.map((json, i) => postPicture(gateway, json, [picture(i + 1)])),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(
      (await postPicture(gateway, hikvisionHeartbeat(new Date().toISOString()), [picture(999)]))
        .status,
    ).toBe(200);
    expect((await postPicture(gateway, '{"eventType": "nothing"}', [picture(998)])).status).toBe(
      400,
    );
    // The terminal sends serial 1 again, as it was (it did not hear the 200).
    expect((await postPicture(gateway, events[0] ?? "", [picture(1)])).status).toBe(200);
    const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
    const readings = db
      .prepare(
        "SELECT seq, CAST(substr(msg_id, 4, instr(msg_id, '@') - 4) AS INTEGER) AS serial FROM readings",
      )
      .all() as { seq: number; serial: number }[];
    db.close();
    expect(readings).toHaveLength(200);
    expect(readdirSync(folder()).sort()).toEqual(readings.map((r) => `${r.seq}-1.jpg`).sort());
    for (const { seq, serial } of readings)
      expect(readFileSync(join(folder(), `${seq}-1.jpg`)).equals(picture(serial))).toBe(true);
  });

  it("within pictures.max_mb, the oldest going first", async () => {
    const before = readdirSync(folder()).length;
    for (let serial = 1001; serial <= 1004; serial++)
      expect(
        (await postPicture(gateway, event(serial), [picture(serial, 300 * 1024)])).status,
      ).toBe(200);
    const files = readdirSync(folder());
    const bytes = files.reduce((sum, f) => sum + statSync(join(folder(), f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    // The four large ones are there; small old ones made room.
    expect(files.filter((f) => statSync(join(folder(), f)).size === 300 * 1024)).toHaveLength(3);
    expect(files.length).toBeLessThan(before + 4);
    const state = (await health(gateway)).pictures;
    expect(state).toMatchObject({ kept: files.length, bytes, max_bytes: 1024 * 1024, error: null });
  });
});

describe.skipIf(process.getuid?.() !== 0)(
  "kept pictures on a disk that fills (root: a tmpfs)",
  () => {
    let dir: string;
    let disk: string;
    let gateway: GatewayProcess;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "cg-pictures-disk-"));
      disk = join(dir, "disk");
      mkdirSync(disk);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", disk]);
      gateway = await spawnGateway(
        dir,
        processConfig(dir, "gw-pic-disk", site, {
          database: { path: join(disk, "checkpoint.db") },
        }),
      );
    });
    afterAll(async () => {
      await stopProcess(gateway.child, "SIGKILL");
      execFileSync("umount", [disk]);
      rmSync(dir, { recursive: true, force: true });
    });

    it("a full disk is a 503 and a health state, never an exit; writes go on once there is room", async () => {
      let refused: { status: number; text: string } | undefined;
      for (let serial = 1; serial <= 20 && !refused; serial++) {
        const answer = await postPicture(gateway, event(serial), [picture(serial, 900 * 1024)]);
        if (answer.status !== 200) refused = answer;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.text).toContain("ENOSPC");
      expect(gateway.child.exitCode).toBeNull();
      expect((await health(gateway)).pictures.error).toContain("ENOSPC");
      expect(
        await metricValue(
          `http://127.0.0.1:${gateway.httpPort}`,
          "checkpoint_picture_write_failures_total",
          {
            device: "hik-1",
          },
        ),
      ).toBeGreaterThanOrEqual(1);
      // No half-written picture is left behind.
      const pictures = join(disk, "pictures", "hik-1");
      for (const f of readdirSync(pictures))
        expect(statSync(join(pictures, f)).size).toBe(900 * 1024);
      // Room made (an operator deleting old pictures): the terminal's resend is taken.
      for (const f of readdirSync(pictures)) rmSync(join(pictures, f));
      expect((await postPicture(gateway, event(100), [picture(100, 900 * 1024)])).status).toBe(200);
      expect((await health(gateway)).pictures.error).toBeNull();
    });
  },
);
