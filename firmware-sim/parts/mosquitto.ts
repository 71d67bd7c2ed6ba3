import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { PROJECT_ROOT } from "./project-root.js";

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Mosquitto {
  port: number;
  stop(): Promise<void>;
}

/** The project's example broker configs in docs/mosquitto: the district's, the devices'. */
const EXAMPLES = {
  district: { conf: "mosquitto.conf", name: "checkpoint" },
  devices: { conf: "devices.conf", name: "devices" },
} as const;

/**
 * Debian's Mosquitto, started with one of the project's example configs (docs/mosquitto): the
 * listeners swapped for a plain local one, and a password file with the given accounts. Used by
 * the district demo, the tests, the bench and the soak.
 */
export async function startMosquitto(
  dir: string,
  users: Record<string, string>,
  example: keyof typeof EXAMPLES = "district",
): Promise<Mosquitto> {
  const { conf, name } = EXAMPLES[example];
  const port = await freePort();
  const passwd = join(dir, `${name}.passwd`);
  writeFileSync(passwd, "");
  for (const [user, password] of Object.entries(users))
    execFileSync("mosquitto_passwd", ["-b", passwd, user, password]);
  const acl = join(dir, `${name}.acl`);
  writeFileSync(acl, readFileSync(join(PROJECT_ROOT, `docs/mosquitto/${name}.acl`)));
  const text = readFileSync(join(PROJECT_ROOT, `docs/mosquitto/${conf}`), "utf8");
  const config = text
    .split("\n")
    .filter((line) => !/^(listener|certfile|keyfile|cafile|tls_version)\b/.test(line))
    .map((line) =>
      line
        .replace(`/etc/mosquitto/${name}.passwd`, passwd)
        .replace(`/etc/mosquitto/${name}.acl`, acl)
        .replace("/var/lib/mosquitto/", `${dir}/`),
    )
    // Started as root (CI), Mosquitto would drop to the `mosquitto` user, which cannot read the
    // private temp dir; this broker keeps the caller's user instead.
    .concat([`listener ${port} 127.0.0.1`, ...(process.getuid?.() === 0 ? ["user root"] : [])])
    .join("\n");
  const file = join(dir, "mosquitto.conf");
  writeFileSync(file, config);
  const child: ChildProcess = spawn("mosquitto", ["-c", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`mosquitto exited with ${child.exitCode}: ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
