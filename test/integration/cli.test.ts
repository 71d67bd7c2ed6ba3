import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD } from "../helpers/gateway.js";
import {
  GATEWAY_BIN,
  type GatewayProcess,
  PROJECT_ROOT,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/** The gateway's command line, run as a person runs it: the built binary in its own process. */
let dir: string;
let running: GatewayProcess | undefined;
afterEach(async () => {
  if (running) await stopProcess(running.child, "SIGKILL");
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});
const fresh = () => {
  dir = mkdtempSync(join(tmpdir(), "cg-cli-"));
  return dir;
};

function cli(args: string[], input = "") {
  const result = spawnSync(process.execPath, [GATEWAY_BIN, ...args], {
    cwd: dir,
    input,
    encoding: "utf8",
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The command line as its own process, while this test's event loop goes on (spawnSync would block it). */
function cliAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATEWAY_BIN, ...args], { cwd: dir });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

const site = {
  checkpoints: [{ id: "gate-1", name: "North gate / 北门" }],
  devices: [
    { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
  ],
};

function writeConfig(config: Record<string, unknown>): string {
  const file = join(dir, "checkpoint.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

async function login(gateway: GatewayProcess, password: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });
  return response.status;
}

describe("checkpoint-gateway on the command line", () => {
  it("says its version and its commands", () => {
    fresh();
    const version = cli(["--version"]);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(version).toMatchObject({ code: 0, out: `${pkg.version}\n` });
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["run", "check-config", "reset-admin-password", "backup"])
      expect(help.out).toContain(command);
  });

  it("check-config prints every problem at once, fields and contradictions, and exits 1", () => {
    fresh();
    const bad = writeConfig({
      http: { port: "eighty" },
      screening: { fever_above_c: 50 },
      checkpoints: [
        { id: "gate-1", name: "A" },
        { id: "gate-1", name: "B" },
      ],
    });
    const result = cli(["check-config", bad]);
    expect(result.code).toBe(1);
    expect(result.err.split("\n")).toEqual([
      `${bad}: 3 problem(s)`,
      "  http.port: Invalid input: expected number, received string",
      "  checkpoints.1.id: duplicate checkpoint id 'gate-1'",
      expect.stringMatching(
        /^ {2}screening\.fever_above_c: 50 must be below invalid_above_c \(43\)/,
      ),
      "",
    ]);
    const good = writeConfig(processConfig(dir, "gw-cli", site));
    const ok = cli(["check-config", good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/: ok \(gateway gw-cli, 1 checkpoints, 1 devices, database /);
    // The example the README's install steps copy is a config that passes as it is.
    const example = cli(["check-config", join(PROJECT_ROOT, "docs/checkpoint.example.yaml")]);
    expect(example.code, example.err).toBe(0);
  });

  it("makes the first admin only once a start succeeds, and resets its password later, audited", async () => {
    fresh();
    // The HTTP port is taken: the start fails, and no account is made or password printed.
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    const config = processConfig(dir, "gw-cli", site, { admin_password: undefined });
    delete config.admin_password;
    const file = writeConfig({ ...config, http: { host: "127.0.0.1", port } });
    const failed = cli(["--config", file]);
    busy.close();
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/cannot start: http: .*EADDRINUSE/);
    expect(`${failed.out}${failed.err}`).not.toContain("password");
    const db = new Database(join(dir, "checkpoint.db"), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM users").pluck().get()).toBe(0);
    db.close();

    // A start that succeeds makes it, and tells its password once.
    running = await spawnGateway(dir, config);
    const first = /password (\S+) \(shown only this once\)/.exec(running.output())?.[1];
    expect(first).toBeDefined();
    expect(await login(running, first as string)).toBe(200);

    // Forgotten: reset on the machine while the gateway runs.
    const reset = cli(
      ["reset-admin-password", "--password-stdin", "--config", join(dir, "checkpoint.yaml")],
      "a-new-admin-pass\n",
    );
    expect(reset.code, `${reset.out}${reset.err}`).toBe(0);
    expect(reset.out).toContain("its sessions are ended");
    expect(await login(running, "a-new-admin-pass")).toBe(200);
    expect(await login(running, first as string)).toBe(401);
    const generated = cli(["reset-admin-password", "--config", join(dir, "checkpoint.yaml")]);
    const second = /new password (\S+) \(shown only this once\)/.exec(generated.out)?.[1];
    expect(second).toBeDefined();
    expect(await login(running, second as string)).toBe(200);
    const audit = new Database(join(dir, "checkpoint.db"), { readonly: true });
    expect(
      audit.prepare("SELECT actor, target FROM audit WHERE action = 'admin_password_reset'").all(),
    ).toEqual([
      { actor: "command line", target: "admin" },
      { actor: "command line", target: "admin" },
    ]);
    audit.close();
    const short = cli(
      ["reset-admin-password", "--password-stdin", "--config", join(dir, "checkpoint.yaml")],
      "short\n",
    );
    expect(short).toMatchObject({
      code: 1,
      out: "the new password must be at least 8 characters\n",
    });
    expect(await login(running, second as string)).toBe(200);
  });

  it("backs up the live database under load; the copy holds everything acknowledged before it, row for row, and a gateway restored from it goes on without reusing an id", async () => {
    fresh();
    running = await spawnGateway(dir, processConfig(dir, "gw-cli", site));
    const thermo = await connectDevice(`mqtt://127.0.0.1:${running.mqttPort}`, "thermo-1");
    const acked: string[] = [];
    let sending = true;
    const load = (async () => {
      for (let i = 0; sending; i++) {
        await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
          temp_c: 36.5,
          msg_id: `m${i}`,
        });
        acked.push(`m${i}`);
      }
    })();
    while (acked.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = [...acked];
    const copy = join(dir, "backup.db");
    // The backup in its own process while this one keeps the device sending: the gateway is
    // under load for the whole of the backup.
    const result = await cliAsync([
      "backup",
      "--to",
      copy,
      "--config",
      join(dir, "checkpoint.yaml"),
    ]);
    const duringBackup = acked.length - before.length;
    const during = acked.length;
    while (acked.length < during + 100) await new Promise((resolve) => setTimeout(resolve, 20));
    sending = false;
    await load;
    await thermo.endAsync(true);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^backup of .* written to .*backup\.db \(\d+ bytes: \d+ readings,/);
    expect(existsSync(`${copy}.partial`)).toBe(false);
    // The gateway kept acknowledging while the backup ran (it was not held up by it).
    expect(duringBackup).toBeGreaterThan(0);

    const backup = new Database(copy, { readonly: true });
    const live = new Database(join(dir, "checkpoint.db"), { readonly: true });
    const rows = (db: Database.Database) =>
      db.prepare("SELECT * FROM readings ORDER BY seq").all() as { seq: number; msg_id: string }[];
    const copied = rows(backup);
    const liveRows = rows(live);
    expect(copied.map((r) => r.msg_id)).toEqual(expect.arrayContaining(before));
    // The copy is one moment of the live file: exactly the live file's rows up to its newest,
    // row for row, with no hole (a copy taken page by page while commits go on would have one).
    const newestCopied = copied.at(-1)?.seq ?? 0;
    expect(copied).toEqual(liveRows.filter((row) => row.seq <= newestCopied));
    const maxSeq = backup.prepare("SELECT max(seq) FROM readings").pluck().get() as number;
    backup.close();
    live.close();
    await stopProcess(running.child);
    running = undefined;

    // Restore: the copy put where a new machine's gateway keeps its file.
    const restored = join(dir, "restored");
    mkdirSync(restored);
    copyFileSync(copy, join(restored, "checkpoint.db"));
    running = await spawnGateway(restored, processConfig(restored, "gw-cli", site));
    const again = await connectDevice(`mqtt://127.0.0.1:${running.mqttPort}`, "thermo-1");
    await publishQos1(again, deviceTopic("thermo-1", "temperature"), {
      temp_c: 36.6,
      msg_id: "after",
    });
    await again.endAsync(true);
    expect(await login(running, "admin-test-pass")).toBe(200);
    const after = new Database(join(restored, "checkpoint.db"), { readonly: true });
    const next = after
      .prepare("SELECT seq FROM readings WHERE msg_id = 'after'")
      .pluck()
      .get() as number;
    after.close();
    expect(next).toBeGreaterThan(maxSeq);
  });
});
