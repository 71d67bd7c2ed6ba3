import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A pair of connected pseudo-terminals made by `socat`: the gateway opens one end as if it
 * were a USB-serial adapter, the simulator writes to the other. Unplugging kills socat, which
 * removes both ends as a pulled cable would; replugging makes a new pair at the same paths.
 */
export class PtyPair {
  private process: ChildProcess | undefined;

  constructor(
    /** The end to put in the gateway's config. */
    readonly gatewayPath: string,
    /** The end the simulated device writes to. */
    readonly devicePath: string,
  ) {}

  static inDir(dir: string, name: string): PtyPair {
    mkdirSync(dir, { recursive: true });
    return new PtyPair(join(dir, `${name}`), join(dir, `${name}.device`));
  }

  get isPlugged(): boolean {
    return this.process !== undefined;
  }

  async plug(): Promise<void> {
    const socat = findSocat();
    const child = spawn(
      socat,
      [`pty,raw,echo=0,link=${this.gatewayPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: "ignore" },
    );
    this.process = child;
    child.once("exit", () => {
      if (this.process === child) this.process = undefined;
    });
    const deadline = Date.now() + 5000;
    while (!(existsSync(this.gatewayPath) && existsSync(this.devicePath))) {
      if (child.exitCode !== null)
        throw new Error(`socat exited with ${child.exitCode} making ${this.gatewayPath}`);
      if (Date.now() > deadline) throw new Error(`socat did not make ${this.gatewayPath} in time`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async unplug(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}

/** The path of socat, or a clear error naming the package to install. */
export function findSocat(): string {
  const found = spawnSync("sh", ["-c", "command -v socat"], { encoding: "utf8" }).stdout.trim();
  if (!found)
    throw new Error(
      "socat is not installed: serial simulation needs it (Debian: apt-get install socat)",
    );
  return found;
}
