import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { messageOf } from "../../common/log.js";
import { ConfigError, loadConfig } from "../config/load.js";
import type { GatewayConfig } from "../config/schema.js";
import { backupDatabase } from "../store/backup.js";
import { Store } from "../store/store.js";

/**
 * The commands besides running the gateway (README "Commands"): each loads the same config the
 * gateway would, says what it did in a line or two, and exits non-zero with one clear line when
 * it cannot.
 */

export type Print = (line: string) => void;

/** Loads the config, or prints every problem and returns null. */
function configOrProblems(file: string | undefined, print: Print): GatewayConfig | null {
  try {
    return loadConfig({ file }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    print(`invalid configuration (${file ?? "default"}):`);
    for (const problem of error.problems) print(`  ${problem}`);
    return null;
  }
}

/** `check-config [FILE]`: every problem at once (fields and contradictions), or what it holds. */
export function checkConfig(file: string | undefined, print: Print, fail: Print): number {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ file });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(`${file ?? "the default config"}: ${error.problems.length} problem(s)`);
    for (const problem of error.problems) fail(`  ${problem}`);
    return 1;
  }
  const { config, source } = loaded;
  print(
    `${source}: ok (gateway ${config.gateway_id}, ${config.checkpoints.length} checkpoints, ${config.devices.length} devices, database ${config.database.path})`,
  );
  return 0;
}

/**
 * `reset-admin-password`: a new password for the `admin` account (made again if it was
 * deleted), every session of it ended, the change audited. The password is read from standard
 * input with `--password-stdin` (so it is in no command line or environment), else generated and
 * printed once. Safe while the gateway runs (SQLite takes the write between the gateway's).
 */
export async function resetAdminPassword(
  file: string | undefined,
  given: string | undefined,
  print: Print,
): Promise<number> {
  const config = configOrProblems(file, print);
  if (!config) return 1;
  if (given !== undefined && given.length < 8) {
    print("the new password must be at least 8 characters");
    return 1;
  }
  const password = given ?? randomBytes(12).toString("base64url");
  const store = Store.open(config.database.path, config.gateway_id);
  try {
    const existed = store.accounts.get("admin") !== undefined;
    if (existed) await store.accounts.update("admin", { password, role: "admin" });
    else await store.accounts.create("admin", password, "admin", Date.now());
    store.audit.record({
      actor: "command line",
      action: "admin_password_reset",
      target: "admin",
      details: { created: !existed },
    });
  } finally {
    store.close();
  }
  print(
    given === undefined
      ? `account 'admin' has the new password ${password} (shown only this once); its sessions are ended`
      : "account 'admin' has the password given; its sessions are ended",
  );
  return 0;
}

/** `backup --to FILE`: a consistent copy of the live database, checked before it is kept. */
export async function backup(file: string | undefined, to: string, print: Print): Promise<number> {
  const config = configOrProblems(file, print);
  if (!config) return 1;
  try {
    const result = await backupDatabase(config.database.path, resolve(to));
    const rows = Object.entries(result.rows)
      .map(([table, n]) => `${n} ${table}`)
      .join(", ");
    print(
      `backup of ${config.database.path} written to ${result.path} (${result.bytes} bytes: ${rows})`,
    );
    return 0;
  } catch (error) {
    print(`backup failed: ${messageOf(error)}`);
    return 1;
  }
}

/** Everything on standard input, as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
