import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import {
  type GatewayProcess,
  spawnGateway,
  stopProcess,
} from "../firmware-sim/parts/gateway-process.js";
import { deviceTopic } from "../gateway/mqtt/contract.js";

/** The trial's devices' password (any will do: the trial writes its own config). */
const DEVICE_PASSWORD = "device-pass-1";

/**
 * One SIGKILL trial: a real gateway process with a `temperature_only` gate and a
 * `pass_and_temperature` gate; devices publish a crowd at QoS 1 with everything in flight at
 * once; the gateway is killed with SIGKILL once part of it is acknowledged, started again on
 * the same ports, and the devices (mqtt.js keeps what was not acknowledged) send the rest
 * again. The checker then reads the SQLite file from the outside.
 */
export interface TrialCounts {
  /** Messages sent (readings and scans). */
  sent: number;
  /** Acknowledged before the kill. */
  ackedAtKill: number;
  /** Acknowledged in the end (after the restart and redelivery). */
  acked: number;
  /** Readings and scans stored (each message once). */
  stored: number;
  /** Acknowledged before the kill but not stored. Must be 0. */
  lostAcknowledged: number;
  /** Stored more than once, or stored though never sent. Must be 0. */
  duplicatesOrStrays: number;
  /** Readings and scans (that pair) without exactly one passage. Must be 0. */
  withoutPassage: number;
  /** Fever readings without exactly one fever alert. Must be 0. */
  feversWithoutAlert: number;
  /** Seqs used by two events. Must be 0. */
  reusedIds: number;
  /** Halves still waiting when checked (after their window ended). Must be 0. */
  undecided: number;
}

/** The counts that must be 0 whatever moment the kill lands in. */
export const NO_FAULTS = {
  lostAcknowledged: 0,
  duplicatesOrStrays: 0,
  withoutPassage: 0,
  feversWithoutAlert: 0,
  reusedIds: 0,
  undecided: 0,
} as const;

/** Counts of no trial, to add trials up. */
export const NO_TRIAL: TrialCounts = { sent: 0, ackedAtKill: 0, acked: 0, stored: 0, ...NO_FAULTS };

const GATEWAY_ID = "gw-kill";

function trialConfig(dbPath: string, httpPort: number, mqttPort: number) {
  const device = (id: string, kind: string, checkpoint: string) => ({
    id,
    kind,
    checkpoint,
    password: DEVICE_PASSWORD,
  });
  return {
    gateway_id: GATEWAY_ID,
    http: { host: "127.0.0.1", port: httpPort },
    mqtt: { host: "127.0.0.1", port: mqttPort },
    database: { path: dbPath },
    admin_password: "admin-test-pass",
    log_level: "info",
    pairing_window_s: 1,
    checkpoints: [
      { id: "gate-t", name: "Temperature gate", mode: "temperature_only" },
      { id: "gate-p", name: "Pass gate", mode: "pass_and_temperature" },
    ],
    devices: [
      device("thermo-t", "thermometer", "gate-t"),
      device("thermo-p", "thermometer", "gate-p"),
      device("reader-p", "pass_reader", "gate-p"),
    ],
  };
}

function connect(url: string, username: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    username,
    password: DEVICE_PASSWORD,
    clientId: `${username}-${Math.random().toString(16).slice(2, 8)}`,
    // Keeps trying while the gateway is down, and then sends again what was not acknowledged.
    reconnectPeriod: 100,
    connectTimeout: 5000,
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`kill trial: ${what} not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Runs one trial with `people` at each gate; kills once `killAfter` (a share of all messages)
 * are acknowledged. Returns the checker's counts.
 */
export async function runKillTrial(
  gatewayBin: string | undefined,
  people: number,
  killAfter: number,
): Promise<TrialCounts> {
  const dir = mkdtempSync(join(tmpdir(), "cg-kill-"));
  const dbPath = join(dir, "checkpoint.db");
  let gateway: GatewayProcess | undefined;
  const clients: MqttClient[] = [];
  try {
    gateway = await spawnGateway(dir, trialConfig(dbPath, 0, 0), {}, gatewayBin);
    const ports = { http: gateway.httpPort, mqtt: gateway.mqttPort };
    const url = `mqtt://127.0.0.1:${ports.mqtt}`;
    const [thermoT, thermoP, readerP] = await Promise.all(
      ["thermo-t", "thermo-p", "reader-p"].map((id) => connect(url, id)),
    );
    if (!thermoT || !thermoP || !readerP) throw new Error("kill trial: devices did not connect");
    clients.push(thermoT, thermoP, readerP);
    const sent: string[] = [];
    const acked = new Set<string>();
    const sends: Promise<void>[] = [];
    let ackedAtKill: Set<string> | undefined;
    const running = gateway;
    const send = (client: MqttClient, topic: string, msgId: string, body: object) => {
      sent.push(msgId);
      sends.push(
        client
          .publishAsync(topic, JSON.stringify({ ...body, msg_id: msgId }), { qos: 1 })
          .then(() => {
            acked.add(msgId);
            // Killed at once, from the acknowledgement that crosses the mark: mid-stream.
            if (!ackedAtKill && acked.size >= sent.length * killAfter) {
              ackedAtKill = new Set(acked);
              running.child.kill("SIGKILL");
            }
          }),
      );
    };
    const now = Date.now();
    for (let i = 0; i < people; i++) {
      const fever = i % 7 === 3;
      const temp_c = fever ? 38.3 : 36.6;
      send(thermoT, deviceTopic("thermo-t", "temperature"), `t-${i}`, { temp_c, ts: now + i });
      // At the pass gate most people show a card and are measured; some only one of the two.
      if (i % 9 !== 5)
        send(thermoP, deviceTopic("thermo-p", "temperature"), `pr-${i}`, { temp_c, ts: now + i });
      if (i % 9 !== 7)
        send(readerP, deviceTopic("reader-p", "scan"), `ps-${i}`, {
          pass_id: `00${String(1_000_000 + i)}`,
          method: "card",
          ts: now + i,
        });
    }
    await waitFor(() => ackedAtKill !== undefined, 30_000, "acknowledgements");
    await stopProcess(gateway.child, "SIGKILL");
    gateway = await spawnGateway(dir, trialConfig(dbPath, ports.http, ports.mqtt), {}, gatewayBin);
    await waitFor(() => acked.size === sent.length, 60_000, "every message acknowledged");
    await Promise.all(sends);
    // Every half's window (1 s) ends; the gateway decides the lone ones by itself. (A gateway
    // that keeps no such table gets the window and a margin instead.)
    if (waitingHalves(dbPath) === null) await new Promise((resolve) => setTimeout(resolve, 2000));
    else await waitFor(() => waitingHalves(dbPath) === 0, 10_000, "no half waiting");
    return check(dbPath, sent, ackedAtKill ?? new Set(), acked.size);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    if (gateway) await stopProcess(gateway.child, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Halves waiting for a partner, or null for a file without that table (an older gateway's). */
function waitingHalves(dbPath: string): number | null {
  const db = new Database(dbPath, { readonly: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE name = 'decision_state'")
      .pluck()
      .get();
    if (!hasTable) return null;
    return db
      .prepare("SELECT count(*) FROM decision_state WHERE key LIKE 'pairing:%'")
      .pluck()
      .get() as number;
  } finally {
    db.close();
  }
}

/** The checker: reads the file from the outside, never the gateway's own counters. */
function check(
  dbPath: string,
  sent: string[],
  ackedAtKill: ReadonlySet<string>,
  acked: number,
): TrialCounts {
  const db = new Database(dbPath, { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    const storedIds = all<{ msg_id: string }>(
      "SELECT msg_id FROM readings UNION ALL SELECT msg_id FROM scans",
    ).map((row) => row.msg_id);
    const storedCount = new Map<string, number>();
    for (const id of storedIds) storedCount.set(id, (storedCount.get(id) ?? 0) + 1);
    const sentSet = new Set(sent);
    const id = (table: string) => `'${GATEWAY_ID}:' || ${table}.seq`;
    return {
      sent: sent.length,
      ackedAtKill: ackedAtKill.size,
      acked,
      stored: storedIds.length,
      lostAcknowledged: [...ackedAtKill].filter((msgId) => !storedCount.has(msgId)).length,
      duplicatesOrStrays: [...storedCount].filter(
        ([msgId, count]) => count !== 1 || !sentSet.has(msgId),
      ).length,
      withoutPassage:
        one(
          `SELECT count(*) FROM readings r WHERE (SELECT count(*) FROM passages p WHERE p.reading_id = ${id("r")}) != 1`,
        ) +
        one(
          `SELECT count(*) FROM scans s WHERE (SELECT count(*) FROM passages p WHERE p.scan_id = ${id("s")}) != 1`,
        ),
      feversWithoutAlert: one(
        `SELECT count(*) FROM readings r WHERE r.status = 'fever' AND
           (SELECT count(*) FROM alerts a WHERE a.kind = 'fever' AND a.reading_id = ${id("r")}) != 1`,
      ),
      reusedIds: one(
        `SELECT count(*) - count(DISTINCT seq) FROM (
           SELECT seq FROM readings UNION ALL SELECT seq FROM scans UNION ALL SELECT seq FROM passages
           UNION ALL SELECT seq FROM alert_events UNION ALL SELECT seq FROM device_status
           UNION ALL SELECT seq FROM summary_reports)`,
      ),
      undecided: waitingHalves(dbPath) ?? 0,
    };
  } finally {
    db.close();
  }
}
