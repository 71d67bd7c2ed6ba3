#!/usr/bin/env node
import { Command } from "commander";
import { gatewayVersion } from "./cli/version.js";
import { DEFAULT_CONFIG_FILE } from "./config/default-file.js";

/**
 * Process entry (docs/contract.md#configuration): `checkpoint-gateway` runs the gateway; its other commands check a
 * config, reset the admin password and back up the live database. The gateway itself and the
 * commands are loaded only when used, so `--help` and `--version` answer at once.
 */

const CONFIG_HELP = `YAML config file (default: ${DEFAULT_CONFIG_FILE} if it exists, else the embedded demo default)`;

export async function main(argv: string[]): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`${line}\n`);
  const program = new Command()
    .name("checkpoint-gateway")
    .description(
      "Entrance checkpoint gateway: screens temperatures from MQTT and serial devices, stores them in SQLite and pushes them live to the kiosk screen.",
    )
    .version(gatewayVersion(), "-V, --version", "print the version")
    .addHelpText(
      "after",
      "\nEnvironment: CHECKPOINT_<PATH> overrides a config field, '__' between levels\n  (CHECKPOINT_HTTP__PORT=8081, CHECKPOINT_ADMIN_PASSWORD=...).",
    );
  program
    .command("run", { isDefault: true })
    .description("run the gateway (the default command)")
    .option("-c, --config <file>", CONFIG_HELP)
    .action(async (options: { config?: string }) => {
      const { runGateway } = await import("./cli/run.js");
      await runGateway(options.config);
    });
  program
    .command("check-config")
    .description("validate a config file and print every problem in it, or what it holds")
    .argument("[file]", CONFIG_HELP)
    .action(async (file: string | undefined) => {
      const { checkConfig } = await import("./cli/commands.js");
      process.exitCode = checkConfig(file, print, fail);
    });
  program
    .command("reset-admin-password")
    .description(
      "give the 'admin' account a new password (one generated and printed once, or read from standard input); ends its sessions; audited",
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--password-stdin", "read the new password from standard input")
    .action(async (options: { config?: string; passwordStdin?: boolean }) => {
      const { resetAdminPassword, readStdin } = await import("./cli/commands.js");
      const given = options.passwordStdin ? (await readStdin()).replace(/\r?\n$/, "") : undefined;
      process.exitCode = await resetAdminPassword(options.config, given, print);
    });
  program
    .command("backup")
    .description("write a consistent copy of the live database (safe while the gateway runs)")
    .requiredOption("--to <file>", "where to write the copy")
    .option("-c, --config <file>", CONFIG_HELP)
    .action(async (options: { to: string; config?: string }) => {
      const { backup } = await import("./cli/commands.js");
      process.exitCode = await backup(options.config, options.to, print);
    });
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(
    `checkpoint-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
