import { mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, messageOf } from "../../common/log.js";
import type { Metrics } from "../metrics.js";

interface Kept {
  path: string;
  bytes: number;
  writtenMs: number;
}

export interface PicturesHealth {
  kept: number;
  bytes: number;
  max_bytes: number;
  /** The last write that failed (a full disk), until one succeeds again. */
  error: string | null;
}

/**
 * The pictures of terminals with `keep_pictures` (docs/contract.md#network-terminals-over-http):
 * `<dir>/<device_id>/<seq>-<n>.jpg`, `seq` the stored event's (its id is `<gateway_id>:<seq>`),
 * so each picture is matched to its event and two events never share a name. Written only once
 * the event is committed (never for a heartbeat, a refused or a repeated notification),
 * asynchronously and outside the request's stream callbacks: a write that fails (a full disk) is
 * an answer (503, counted, said in health), never an exit (a synchronous write once threw ENOSPC
 * past every handler). Within a disk budget, the oldest going first; deleted by retention at the
 * cutoff of the events (by the time they were written).
 */
export class PictureStore {
  private readonly kept: Kept[] = [];
  private bytes = 0;
  private lastError: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** What is already on disk, oldest first (once, at start). */
  load(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const device of readdirSync(this.dir, { withFileTypes: true })) {
      if (!device.isDirectory()) continue;
      for (const name of readdirSync(join(this.dir, device.name))) {
        const path = join(this.dir, device.name, name);
        const stat = statSync(path, { throwIfNoEntry: false });
        if (stat?.isFile()) this.kept.push({ path, bytes: stat.size, writtenMs: stat.mtimeMs });
      }
    }
    this.kept.sort((a, b) => a.writtenMs - b.writtenMs);
    this.bytes = this.kept.reduce((sum, k) => sum + k.bytes, 0);
  }

  /** Writes an event's pictures; resolves with the error when they could not all be written. */
  async keep(deviceId: string, seq: number, pictures: readonly Buffer[]): Promise<Error | null> {
    const folder = join(this.dir, deviceId);
    let writing: string | null = null;
    try {
      await mkdir(folder, { recursive: true });
      for (const [n, bytes] of pictures.entries()) {
        const path = join(folder, `${seq}-${n + 1}.jpg`);
        writing = path;
        await writeFile(path, bytes);
        writing = null;
        this.kept.push({ path, bytes: bytes.length, writtenMs: Date.now() });
        this.bytes += bytes.length;
      }
    } catch (error) {
      // What a full disk left of the file is no picture.
      if (writing !== null) await unlink(writing).catch(() => undefined);
      this.metrics.pictureFailures.inc({ device: deviceId });
      if (this.lastError === null)
        this.log.error(
          { device: deviceId, err: messageOf(error) },
          `pictures: cannot write a picture of ${deviceId} (${messageOf(error)}); answered 503 until writes succeed again`,
        );
      this.lastError = messageOf(error);
      return error instanceof Error ? error : new Error(String(error));
    }
    if (this.lastError !== null) this.log.warn("pictures: writes succeed again");
    this.lastError = null;
    await this.withinBudget();
    return null;
  }

  /** Deletes the pictures written before `cutoffMs` (retention, daily). */
  sweep(cutoffMs: number): number {
    let deleted = 0;
    while (this.kept.length > 0 && (this.kept[0]?.writtenMs ?? Infinity) < cutoffMs) {
      const old = this.kept.shift();
      if (!old) break;
      this.bytes -= old.bytes;
      try {
        unlinkSync(old.path);
        deleted += 1;
      } catch {
        // Already gone (deleted by hand).
      }
    }
    return deleted;
  }

  health(): PicturesHealth {
    return {
      kept: this.kept.length,
      bytes: this.bytes,
      max_bytes: this.maxBytes,
      error: this.lastError,
    };
  }

  private async withinBudget(): Promise<void> {
    while (this.bytes > this.maxBytes && this.kept.length > 0) {
      const old = this.kept.shift();
      if (!old) break;
      this.bytes -= old.bytes;
      await unlink(old.path).catch(() => undefined);
    }
  }
}
