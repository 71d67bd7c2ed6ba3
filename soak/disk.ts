import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The disk the soak's gateway writes its SQLite file to. As root it is a tmpfs of its own, so
 * the soak can fill it to the last byte (the `full_disk` fault) and free it again; otherwise a
 * plain folder, and the fault is said and skipped.
 */
export class SoakDisk {
  private mounted = false;
  private readonly filler: string;

  constructor(
    readonly path: string,
    sizeMb: number,
  ) {
    mkdirSync(path, { recursive: true });
    this.filler = join(path, "filler");
    if (process.getuid?.() !== 0) return;
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", path]);
    this.mounted = true;
  }

  /** Whether the `full_disk` fault can be carried out here. */
  get canFill(): boolean {
    return this.mounted;
  }

  /** Takes every free byte, in halving chunks down to a page. */
  fill(): void {
    let size = 64 * 1024 * 1024;
    while (size >= 4096) {
      try {
        writeFileSync(this.filler, Buffer.alloc(size), { flag: "a" });
      } catch {
        size = Math.floor(size / 2);
      }
    }
  }

  free(): void {
    rmSync(this.filler, { force: true });
  }

  close(): void {
    if (!this.mounted) return;
    execFileSync("umount", ["--lazy", this.path]);
    this.mounted = false;
  }
}
