import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  DISTRICT_CONSUMER,
  type DistrictRig,
  registerGateways,
  startDistrictRig,
} from "../helpers/district-worker.js";
import { eventually } from "../helpers/gateway.js";
import { PROJECT_ROOT, stopProcess } from "../helpers/process.js";

/**
 * `broker.workers: 2` (docs/fleet.md#district-configuration): one command supervises two worker
 * processes that share the HTTP port, each with its own sessions, and starts again one that
 * dies. Configured with the contract's keys and a `DISTRICT_` override, against Debian's
 * Mosquitto and a PostgreSQL cluster of the test's own.
 */
let rig: DistrictRig;
let supervisor: ChildProcess;
let output = "";

/** The `started` lines the workers logged so far: their name, pid and HTTP port. */
const started = () =>
  [...output.matchAll(/"worker":"(pool-\d)","pid":(\d+),"health":[^,]+,"console":(\d+)/g)].map(
    (m) => ({ worker: m[1] as string, pid: Number(m[2]), port: Number(m[3]) }),
  );
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  rig = await startDistrictRig("district-workers", ["gw-a"]);
  await registerGateways(rig.postgres.url("district"), [{ gatewayId: "gw-a", siteId: "site-a" }]);
  const file = join(rig.dir, "pool.yaml");
  writeFileSync(
    file,
    stringify({
      worker_id: "pool",
      http: { host: "127.0.0.1", port: 0 },
      broker: {
        url: `mqtt://127.0.0.1:${rig.broker.port}`,
        ...DISTRICT_CONSUMER,
        share_group: "district",
        workers: 2,
        connections: 2,
      },
      database: { url: "postgres://nobody@127.0.0.1:1/none" },
    }),
  );
  supervisor = spawn(process.execPath, [join(PROJECT_ROOT, "dist/district/main.js"), "-c", file], {
    // The database comes from the environment, as a deployment's secret would.
    env: { ...process.env, DISTRICT_DATABASE__URL: rig.postgres.url("district") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  supervisor.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  supervisor.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(() => (started().length === 2 ? true : undefined), 30_000);
}, 90_000);

afterAll(async () => {
  if (supervisor?.exitCode === null) await stopProcess(supervisor, "SIGKILL");
  for (const { pid } of started()) if (alive(pid)) process.kill(pid, "SIGKILL");
  await rig?.close();
});

describe("broker.workers: one command, several worker processes", () => {
  it("starts pool-1 and pool-2 sharing one HTTP port, configured from the file and the environment", async () => {
    const [one, two] = started().sort((a, b) => a.worker.localeCompare(b.worker));
    expect([one?.worker, two?.worker]).toEqual(["pool-1", "pool-2"]);
    expect(one?.pid).not.toBe(two?.pid);
    expect(one?.port).toBe(two?.port);
    expect((await fetch(`http://127.0.0.1:${one?.port}/api/district/gateways`)).status).toBe(401);
    const client = rig.clients.get("gw-a");
    for (let i = 1; i <= 300; i++)
      await client?.publishAsync(
        "district/site-a/gw-a/passage",
        JSON.stringify({ id: `gw-a:${i}`, ts: new Date().toISOString(), decision: "allow" }),
        { qos: 1 },
      );
    await eventually(
      async () =>
        (await rig.count("SELECT count(*) AS n FROM passages WHERE gateway_id = 'gw-a'")) === 300
          ? true
          : undefined,
      30_000,
    );
  });

  it("starts a worker again that was SIGKILLed, and stops them all on SIGTERM", async () => {
    const victim = started().find((s) => s.worker === "pool-2");
    process.kill(victim?.pid ?? 0, "SIGKILL");
    await eventually(() =>
      started().filter((s) => s.worker === "pool-2").length === 2 ? true : undefined,
    );
    expect(output).toMatch(/district worker pool-2 exited unplanned; starting it again/);
    const pids = started().map((s) => s.pid);
    supervisor.kill("SIGTERM");
    const code = await new Promise((resolve) => supervisor.once("exit", resolve));
    expect(code).toBe(0);
    expect(pids.filter((pid) => pid !== victim?.pid && alive(pid))).toEqual([]);
  });
});
