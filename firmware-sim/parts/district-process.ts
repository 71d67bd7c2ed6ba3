import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "./project-root.js";

/**
 * A district worker process, with what it has logged so far and the port of its HTTP server
 * (console and API) when its config has one (its started line says it), else 0.
 */
export type WorkerProcess = ChildProcess & { output: () => string; httpPort: () => number };

/**
 * Runs the built district worker (`dist/district/main.js`) as its own process with a YAML
 * config in `dir` (`extra` overrides any of it), and resolves once it says it started.
 */
export function startDistrictWorker(
  dir: string,
  id: string,
  parts: {
    brokerPort: number;
    consumer: { username: string; password: string };
    databaseUrl: string;
    connections?: number;
  },
  extra: Record<string, unknown> = {},
): Promise<WorkerProcess> {
  const file = join(dir, `${id}.yaml`);
  writeFileSync(
    file,
    stringify({
      worker_id: id,
      broker: {
        url: `mqtt://127.0.0.1:${parts.brokerPort}`,
        ...parts.consumer,
        connections: parts.connections ?? 8,
      },
      database: { url: parts.databaseUrl },
      health: { port: 0 },
      ...extra,
    }),
  );
  const spawned = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "dist/district/main.js"), "--config", file],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const child: WorkerProcess = Object.assign(spawned, {
    output: () => output,
    httpPort: () => Number(/"console":(\d+)/.exec(output)?.[1] ?? 0),
  });
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`district worker ${id} started`)) resolve(child);
    };
    child.stdout?.on("data", seen);
    child.stderr?.on("data", seen);
    child.once("exit", (code) => reject(new Error(`worker ${id} exited with ${code}: ${output}`)));
  });
}
