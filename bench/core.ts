import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Store } from "../gateway/store/store.js";
import { NO_TRIAL, runKillTrial, type TrialCounts } from "../soak/kill-trial.js";
import { percentile } from "./harness.js";

/**
 * The write path's own figures: the core as it was before one transaction per arrival, built
 * from git in the same run so both are measured on the same machine at the same moment; the
 * SIGKILL trials with their counts; and the outbox's depth and age queries with a long queue.
 */

/** The last commit whose core committed a reading's passage and alerts in later transactions. */
export const OLD_CORE_COMMIT = "df1d83d";

/**
 * Builds an older commit's core (`OLD_CORE_COMMIT` unless `--old-core <commit>` names another)
 * into `dir` (a git worktree, this checkout's node_modules) and returns its dist folder, or null
 * (said why) where git or the commit is not there.
 */
export function buildOldCore(
  projectRoot: string,
  dir: string,
  commit: string = OLD_CORE_COMMIT,
): string | null {
  const tree = join(dir, "old-core");
  try {
    execFileSync("git", ["-C", projectRoot, "worktree", "add", "--detach", tree, commit], {
      stdio: "ignore",
    });
    if (!existsSync(join(tree, "node_modules")))
      symlinkSync(join(projectRoot, "node_modules"), join(tree, "node_modules"));
    execFileSync(
      process.execPath,
      [join(projectRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: tree, stdio: "ignore" },
    );
    return join(tree, "dist");
  } catch (error) {
    process.stderr.write(
      `bench: the old core (${commit}) could not be built, its figures are skipped (${(error as Error).message.split("\n")[0]})\n`,
    );
    return null;
  }
}

/** Removes the worktree `buildOldCore` made. */
export function removeOldCore(projectRoot: string, dir: string): void {
  try {
    execFileSync(
      "git",
      ["-C", projectRoot, "worktree", "remove", "--force", join(dir, "old-core")],
      { stdio: "ignore" },
    );
  } catch {
    // Nothing was made.
  }
}

/** `trials` SIGKILL trials of the gateway at `gatewayBin`, summed. */
export async function killTrials(
  gatewayBin: string,
  trials: number,
  people: number,
): Promise<TrialCounts> {
  const total: TrialCounts = { ...NO_TRIAL };
  for (let i = 0; i < trials; i++) {
    const counts = await runKillTrial(gatewayBin, people, (i + 1) / (trials + 1));
    for (const key of Object.keys(total) as (keyof TrialCounts)[]) total[key] += counts[key];
  }
  return total;
}

export interface QueueQueryTimes {
  depthP50: number;
  depthP99: number;
  ageP50: number;
  ageP99: number;
  /** The queries the forwarder ran on every pump before (count(*), unindexed min). */
  oldDepthP50: number;
  oldAgeP50: number;
}

/** Times the outbox's depth and age queries with `rows` queued, ms per call. */
export function outboxQueries(dir: string, rows: number, calls: number): QueueQueryTimes {
  const path = join(dir, "outbox-bench.db");
  const store = Store.open(path, "gw-bench");
  const payload = { id: "gw-bench:0", temp_c: 36.6, status: "normal" };
  const batch = 10_000;
  for (let done = 0; done < rows; done += batch) {
    store.writeBatch(() => {
      for (let i = done; i < Math.min(rows, done + batch); i++)
        store.outbox.add(i + 1, "passage", 2, payload, 1_700_000_000_000 + i);
    });
  }
  const time = (query: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = process.hrtime.bigint();
      query();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return times;
  };
  const depth = time(() => store.outbox.depth());
  const age = time(() => store.outbox.oldestMs());
  if (store.outbox.depth() !== rows) throw new Error("outbox depth does not match its rows");
  store.close();
  const raw = new Database(path, { readonly: true });
  const oldDepth = time(() => raw.prepare("SELECT count(*) FROM outbox").get());
  const oldAge = time(() => raw.prepare("SELECT min(created_at_ms) FROM outbox").get());
  raw.close();
  return {
    depthP50: percentile(depth, 50),
    depthP99: percentile(depth, 99),
    ageP50: percentile(age, 50),
    ageP99: percentile(age, 99),
    oldDepthP50: percentile(oldDepth, 50),
    oldAgeP50: percentile(oldAge, 50),
  };
}
