import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { freePort } from "./mosquitto.js";

/**
 * A PostgreSQL cluster of its own (Debian `postgresql`) for the district demo, the tests and the
 * bench: `initdb` on a temporary folder as the `postgres` user (initdb refuses root), on a free
 * port, a socket in that folder, trust authentication on loopback; stopped and started again as
 * a test needs; removed with the folder.
 */
export interface Postgres {
  port: number;
  url: (database?: string) => string;
  stop(): void;
  start(): void;
  createDatabase(name: string): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version)
    throw new Error(
      "PostgreSQL is not installed: the district needs it (Debian: apt-get install postgresql)",
    );
  return join(root, version, "bin");
}

export async function startPostgres(dir: string): Promise<Postgres> {
  const bin = binDir();
  const data = join(dir, "pgdata");
  mkdirSync(data, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]) => {
    const command = join(bin, program);
    const result = asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", command, ...args], { encoding: "utf8" })
      : spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(`${program} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    // The postgres user must reach its folder: every folder on the way below /tmp may be passed.
    for (
      let folder = dir;
      folder.startsWith(tmpdir()) && folder !== tmpdir();
      folder = dirname(folder)
    )
      chmodSync(folder, statSync(folder).mode | 0o711);
    chownSync(
      data,
      Number(execFileSync("id", ["-u", "postgres"]).toString()),
      Number(execFileSync("id", ["-g", "postgres"]).toString()),
    );
  }
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const postgres: Postgres = {
    port,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(data, "log"), "-w", "start"]),
    stop: () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: postgres.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
    },
  };
  postgres.start();
  return postgres;
}
