import { statSync } from "node:fs";

/**
 * The database file as opened: its device and inode. SQLite keeps writing to the file it
 * opened even when that file was deleted or replaced under it, and every such write is lost at
 * the next start (a gateway once acknowledged 14,280 readings that way). Comparing the path's
 * identity with the opened one tells that apart cheaply (one stat).
 */
export class FileIdentity {
  private readonly opened: { dev: number; ino: number } | null;

  constructor(private readonly path: string) {
    this.opened = path === ":memory:" ? null : identity(path);
  }

  /** Null while the path is still the file that was opened; else what happened to it. */
  problem(): string | null {
    if (!this.opened) return null;
    let now: { dev: number; ino: number } | null;
    try {
      now = identity(this.path);
    } catch {
      now = null;
    }
    if (!now) return `the database file ${this.path} is gone`;
    if (now.dev !== this.opened.dev || now.ino !== this.opened.ino)
      return `the database file ${this.path} was replaced`;
    return null;
  }
}

function identity(path: string): { dev: number; ino: number } {
  const stat = statSync(path);
  return { dev: stat.dev, ino: stat.ino };
}
