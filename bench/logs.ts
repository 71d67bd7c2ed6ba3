import { join } from "node:path";
import type { PageCursor } from "../gateway/store/paging.js";
import { Store } from "../gateway/store/store.js";
import { adminToken, cpuOf, percentile, rssMbOf, spawnGatewayProcess, stop } from "./harness.js";

/** Fills a gateway's SQLite file with `rows` readings over 10 checkpoints, 2% fevers, 30 days. */
export function fillReadings(path: string, rows: number): void {
  const store = Store.open(path, "gw-bench");
  const start = Date.now() - 30 * 86_400_000;
  const step = (30 * 86_400_000) / rows;
  for (let done = 0; done < rows; done += 20_000) {
    store.writeBatch(() => {
      for (let i = done; i < Math.min(rows, done + 20_000); i++) {
        const fever = i % 50 === 0;
        store.readings.insert({
          ts_ms: Math.round(start + i * step),
          device_id: `thermo-${i % 20}`,
          checkpoint_id: `gate-${i % 10}`,
          temp_c: fever ? 38.2 : 36.5,
          raw_c: fever ? 38.2 : 36.5,
          ambient_c: null,
          status: fever ? "fever" : "normal",
          pass_id: null,
          msg_id: null,
        });
      }
    });
  }
  store.close();
}

/** A page cursor at a row (a next_cursor as a page ending there would give it). */
function cursorAt(store: Store, table: "readings" | "passages", seq: number): PageCursor {
  const ts = store[table].get(seq)?.ts;
  return { timeMs: ts === undefined ? Date.now() : Date.parse(ts), seq };
}

/** p50/p99 ms of one page (100 rows) of the log under each filter, from random starting points. */
export function queryTimes(
  path: string,
  rows: number,
  samples: number,
): { filter: string; p50: number; p99: number }[] {
  const store = Store.open(path, "gw-bench");
  const day = 86_400_000;
  const now = Date.now();
  const filters: [string, (cursor: PageCursor) => Parameters<typeof store.readings.page>[0]][] = [
    ["newest first, no filter", (cursor) => ({ cursor, limit: 100 })],
    ["one checkpoint", (cursor) => ({ cursor, checkpoint: "gate-3", limit: 100 })],
    [
      "fevers at one checkpoint",
      (cursor) => ({ cursor, checkpoint: "gate-0", status: "fever", limit: 100 }),
    ],
    [
      "one device, one day",
      (cursor) => ({
        cursor,
        device: "thermo-7",
        fromMs: now - 10 * day,
        toMs: now - 9 * day,
        limit: 100,
      }),
    ],
  ];
  const results = [];
  for (const [name, filter] of filters) {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const cursor = cursorAt(store, "readings", 1 + Math.floor(Math.random() * rows));
      const start = performance.now();
      store.readings.page(filter(cursor));
      times.push(performance.now() - start);
    }
    results.push({ filter: name, p50: percentile(times, 50), p99: percentile(times, 99) });
  }
  store.close();
  return results;
}

/**
 * `rows` passages beside the readings (10 checkpoints, 2% denied for a fever, 1% for an unknown
 * pass), then p50/p99 ms of one page of 100 filtered by reason, which the admin's log offers.
 */
export function passageReasonTimes(
  path: string,
  rows: number,
  samples: number,
): { filter: string; p50: number; p99: number }[] {
  const store = Store.open(path, "gw-bench");
  const first = store.journal.currentSeq;
  const start = Date.now() - 30 * 86_400_000;
  const step = (30 * 86_400_000) / rows;
  for (let done = 0; done < rows; done += 20_000) {
    store.writeBatch(() => {
      for (let i = done; i < Math.min(rows, done + 20_000); i++) {
        const reason = i % 50 === 0 ? "fever" : i % 100 === 1 ? "unknown_pass" : null;
        store.passages.insert({
          ts_ms: Math.round(start + i * step),
          checkpoint_id: `gate-${i % 10}`,
          pass_id: null,
          holder_name: null,
          reading_id: null,
          scan_id: null,
          temp_c: 36.5,
          decision: reason ? "deny" : "allow",
          reasons: reason ? [reason] : [],
        });
      }
    });
  }
  const filters: [string, (cursor: PageCursor) => Parameters<typeof store.passages.page>[0]][] = [
    [
      "passages, fevers at one checkpoint",
      (cursor) => ({ cursor, checkpoint: "gate-0", reason: "fever", limit: 100 }),
    ],
    [
      "passages, unknown passes anywhere",
      (cursor) => ({ cursor, reason: "unknown_pass", limit: 100 }),
    ],
  ];
  const results = [];
  const top = store.journal.currentSeq;
  for (const [name, filter] of filters) {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const cursor = cursorAt(
        store,
        "passages",
        first + 1 + Math.floor(Math.random() * (top - first)),
      );
      const t0 = performance.now();
      store.passages.page(filter(cursor));
      times.push(performance.now() - t0);
    }
    results.push({ filter: name, p50: percentile(times, 50), p99: percentile(times, 99) });
  }
  store.close();
  return results;
}

/** Rows/s of `GET /api/export/readings.csv` over the whole file, and the gateway's peak RSS meanwhile. */
export async function exportRate(
  distDir: string,
  dir: string,
  path: string,
): Promise<{ rowsPerS: number; rows: number; peakRssMb: number; cpuS: number }> {
  const target = await spawnGatewayProcess(distDir, dir, (config) => {
    Object.assign(config, { database: { path }, retention_days: 3650 });
  });
  const pid = target.child.pid as number;
  const token = await adminToken(target.httpPort);
  let peakRssMb = rssMbOf(pid);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMbOf(pid));
  }, 100);
  const cpu0 = cpuOf(pid);
  const start = performance.now();
  const response = await fetch(`http://127.0.0.1:${target.httpPort}/api/export/readings.csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  let lines = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    for (const byte of chunk.value) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = cpuOf(pid);
  clearInterval(sampler);
  await stop(target.child);
  if (!response.ok) throw new Error(`bench: the export answered ${response.status}`);
  const rows = lines - 1;
  return {
    rowsPerS: rows / seconds,
    rows,
    peakRssMb,
    cpuS: cpu1.userS + cpu1.systemS - cpu0.userS - cpu0.systemS,
  };
}

export function logFile(dir: string, rows: number): string {
  return join(dir, `log-${rows}.db`);
}
