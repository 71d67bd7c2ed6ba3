import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * How long the command line takes to answer from a built tree (median of a few runs): a person
 * at a gate's computer types these, a service manager runs them.
 */
export interface CliTime {
  command: string;
  ms: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function timed(command: string, args: string[], cwd: string, runs: number): CliTime {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(args[0] as string, args.slice(1), { cwd, encoding: "utf8" });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  }
  return { command, ms: median(times) };
}

export function cliTimes(dist: string, runs = 5): CliTime[] {
  const root = join(dist, "..");
  const bin = join(dist, "gateway/main.js");
  const node = process.execPath;
  return [
    timed("checkpoint-gateway --version", [node, bin, "--version"], root, runs),
    timed("checkpoint-gateway --help", [node, bin, "--help"], root, runs),
    timed(
      "checkpoint-gateway check-config docs/checkpoint.example.yaml",
      [node, bin, "check-config", "docs/checkpoint.example.yaml"],
      root,
      runs,
    ),
    timed(
      "npm start -- --version (built tree: the staleness check, then the gateway)",
      ["npm", "start", "--silent", "--", "--version"],
      root,
      runs,
    ),
    timed("node -e '' (bare Node start, for the ratio)", [node, "-e", ""], root, runs),
  ];
}
