import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import { FaultProxy } from "../firmware-sim/parts/fault-proxy.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../firmware-sim/parts/gateway-process.js";
import { type Mosquitto, startMosquitto } from "../firmware-sim/parts/mosquitto.js";
import { Random } from "../firmware-sim/random.js";
import { GATE_PASSES, RESIDENT_CARDS } from "../firmware-sim/scenarios.js";
import { RESOLVING } from "../gateway/domain/resolving.js";
import type { AlertKind, Disposition } from "../gateway/domain/types.js";
import { deviceTopic } from "../gateway/mqtt/contract.js";
import { type CheckpointMode, type Recording, SERIAL_INTERRUPTIONS } from "./checker.js";
import { type CrowdAction, crowd, readerOf, thermometerOf } from "./crowd.js";
import { SoakDisk } from "./disk.js";
import { DISTRICT_CONSUMER, HOSTILE_ID, HOSTILE_PASSWORD, SoakDistrict } from "./district.js";
import { districtFaultSchedule, faultSchedule } from "./schedule.js";
import { SERIAL_GATE, SERIAL_READER, SERIAL_THERMOMETER, SerialGate } from "./serial-gate.js";

/**
 * A seeded soak: a real gateway process driven like a busy site (several gates of every mode
 * playing the simulator's scenarios over MQTT, a serial gate on socat pseudo-terminals, guards
 * handling alerts, an admin importing passes and setting observations, kiosks watching, the
 * district consumer on a real Mosquitto behind a fault proxy, and the district itself: two
 * workers into PostgreSQL beside a hostile gateway account, soak/district.ts) while a seeded
 * schedule restarts it (SIGTERM, SIGKILL), cuts and flaps the district link, pulls the serial
 * cable, fills the disk, sends garbage and a wrong clock, bursts anonymous replays, restarts
 * the district's PostgreSQL and SIGKILLs its workers. Returns what the outside saw, for the
 * checker.
 */
export interface SoakOptions {
  dir: string;
  seconds: number;
  seed: number;
  gates: number;
  /** People per second over all gates. */
  rate: number;
  /** The fault schedule's mean gap. */
  faultEveryMs: number;
  log: (line: string) => void;
  gatewayBin?: string;
}

/** A stretch of the run between two faults. */
export interface SoakPhase {
  /** The fault that began it ("start" for the first). */
  after: string;
  atMs: number;
  rssMaxMb: number;
  /** Live readings shown on a kiosk in this phase, and their publish -> kiosk latency. */
  shown: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakFigures {
  sent: number;
  acked: number;
  serialSent: number;
  faults: Record<string, number>;
  /** Faults the schedule drew that this machine cannot carry out (a full disk needs root). */
  skipped: Record<string, number>;
  restarts: number;
  phases: SoakPhase[];
  latencyMs: { p50: number; p99: number };
  /** The district side: what the hostile account sent, and what was kept of it. */
  district: {
    honest: number;
    forgeries: number;
    deadLetters: number;
    stored: number;
    /** The dashboard's requests to the API, and how many of them were answered 503. */
    apiRequests: number;
    api503: number;
  };
}

const MODES: CheckpointMode[] = ["temperature_only", "pass_and_temperature", "pass_only"];
const GATEWAY_ID = "gw-soak";
const SITE_ID = "site-soak";
const UPSTREAM_PASSWORD = "soak-upstream-pass";
const NOTE = "rang family at 13800138000";
const DEVICE_PASSWORD = "device-pass-1";

/**
 * What a guard does with an alert, as the console offers it: a person measured again (a fever
 * released when the second reading is normal, else referred), a pass refused, a device fixed.
 */
function guardsResolution(
  kind: AlertKind,
  random: Random,
): { disposition: Disposition; confirm_temp_c: number | null } {
  const rule = RESOLVING[kind];
  if (rule.confirmingTemperature)
    return random.chance(0.5)
      ? { disposition: "released", confirm_temp_c: 36.7 }
      : { disposition: "referred", confirm_temp_c: 38.2 };
  return {
    disposition: rule.dispositions.includes("refused") ? "refused" : "fixed",
    confirm_temp_c: null,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`soak: ${what} not reached in ${ms} ms`);
    await sleep(50);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function runSoak(
  o: SoakOptions,
): Promise<{ recording: Recording; figures: SoakFigures }> {
  // The fault schedule is drawn up front from the seed, so a run's faults and their times are
  // the same whenever it is replayed; the crowd and the admin draw from their own streams.
  const schedule = faultSchedule(o.seed, o.seconds * 1000, o.faultEveryMs);
  const districtSchedule = districtFaultSchedule(o.seed, o.seconds * 1000, o.faultEveryMs);
  const adminRandom = new Random(o.seed + 2);
  const guardRandom = new Random(o.seed + 4);
  const gates = Array.from({ length: o.gates }, (_, i) => ({
    id: `gate-${i + 1}`,
    mode: MODES[i % MODES.length] as CheckpointMode,
  }));
  // The residents the scenarios know (one revoked, one under home observation), as the office's
  // spreadsheet lists them.
  const passes = [
    ...GATE_PASSES.map((p) => ({
      pass_id: p.pass_id,
      holder_name: p.holder_name,
      unit: p.unit,
      status: p.status,
      observation_until:
        p.observation_days > 0
          ? new Date(Date.now() + p.observation_days * 86_400_000).toISOString()
          : "",
    })),
    ...RESIDENT_CARDS.filter((card) => !GATE_PASSES.some((p) => p.pass_id === card)).map(
      (card, i) => ({
        pass_id: card,
        holder_name: `赵住户${i + 1}`,
        unit: `6-1-${101 + i}`,
        status: "active",
        observation_until: "",
      }),
    ),
  ];
  const start = Date.now();
  const at = () => Date.now() - start;
  const disk = new SoakDisk(join(o.dir, "data"), Math.max(128, Math.round(o.seconds * 0.3)));
  const dbPath = join(disk.path, "checkpoint.db");
  const serialGate = new SerialGate(
    o.dir,
    o.seed + 3,
    passes.map((p) => p.pass_id),
    at,
  );
  // What the run starts is stopped whatever happens to it: a run that throws (a bound not
  // reached) must not leave its gateway and broker running.
  const leftovers: (() => unknown)[] = [];
  try {
    return await soak();
  } finally {
    for (const stop of leftovers.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
    await serialGate.close();
    disk.close();
  }

  async function soak(): Promise<{ recording: Recording; figures: SoakFigures }> {
    const recording: Recording = {
      gatewayId: GATEWAY_ID,
      startedAt: start,
      modes: Object.fromEntries([
        ...gates.map((g) => [g.id, g.mode]),
        [SERIAL_GATE, "pass_and_temperature"],
      ]),
      sent: [],
      stored: {
        readings: [],
        scans: [],
        passages: [],
        alertChanges: [],
        alerts: [],
        deviceStatus: [],
        summaries: [],
        waitingHalves: 0,
      },
      upstream: [],
      kiosk: [],
      secrets: [NOTE, ...passes.map((p) => p.holder_name), ...passes.map((p) => p.pass_id)],
      serial: { thermometer: SERIAL_THERMOMETER, reader: SERIAL_READER, sent: serialGate.sent },
      exits: [],
      actions: [],
      faults: [],
    };

    // The district: Mosquitto, its consumer, and the gateway's link through a fault proxy.
    const broker: Mosquitto = await startMosquitto(o.dir, {
      [GATEWAY_ID]: UPSTREAM_PASSWORD,
      [HOSTILE_ID]: HOSTILE_PASSWORD,
      [DISTRICT_CONSUMER.username]: DISTRICT_CONSUMER.password,
    });
    leftovers.push(() => broker.stop());
    // The highest seq the gateway has forwarded: the hostile account aims at ids near it.
    let forwardedSeq = 0;
    const district = new SoakDistrict({
      dir: o.dir,
      seed: o.seed,
      at,
      log: o.log,
      victim: { gatewayId: GATEWAY_ID, siteId: SITE_ID, seq: () => forwardedSeq },
    });
    leftovers.push(() => district.stop());
    await district.start(broker.port);
    const proxy = await FaultProxy.start(broker.port);
    leftovers.push(() => proxy.close());
    const consumer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: "district-consumer",
      password: "consumer-pass",
      clientId: "soak-district",
    });
    consumer.on("message", (topic, payload) => {
      const kind = topic.split("/").at(-1) ?? "";
      if (kind === "status" || !topic.includes(`/${GATEWAY_ID}/`)) return;
      const id = (JSON.parse(payload.toString()) as { id: string }).id;
      recording.upstream.push({ id, kind });
      forwardedSeq = Math.max(forwardedSeq, Number(id.split(":").at(-1)) || 0);
    });
    await consumer.subscribeAsync("district/#", { qos: 1 });

    const devices = gates.flatMap((gate) => [
      ...(gate.mode === "pass_only"
        ? []
        : [{ id: thermometerOf(gate.id), kind: "thermometer", gate }]),
      ...(gate.mode === "temperature_only"
        ? []
        : [{ id: readerOf(gate.id), kind: "pass_reader", gate }]),
    ]);
    await serialGate.plug();
    const config = (http: number, mqttPort: number) =>
      processConfig(
        o.dir,
        GATEWAY_ID,
        {
          checkpoints: [
            ...gates.map((g) => ({ id: g.id, name: `Gate ${g.id}`, mode: g.mode })),
            { id: SERIAL_GATE, name: "Serial gate", mode: "pass_and_temperature" },
          ],
          devices: [
            ...devices.map((d) => ({
              id: d.id,
              kind: d.kind,
              checkpoint: d.gate.id,
              password: DEVICE_PASSWORD,
            })),
            ...serialGate.devices(),
          ],
        },
        {
          site: { id: SITE_ID, name: "Soak community", timezone: "Asia/Shanghai" },
          database: { path: dbPath },
          http: { host: "127.0.0.1", port: http },
          mqtt: { host: "127.0.0.1", port: mqttPort },
          pairing_window_s: 2,
          upstream: {
            url: `mqtt://127.0.0.1:${proxy.port}`,
            username: GATEWAY_ID,
            password: UPSTREAM_PASSWORD,
            topic_prefix: "district",
            backlog_rate_per_s: 100_000,
          },
        },
      );
    let gateway: GatewayProcess = await spawnGateway(o.dir, config(0, 0), {}, o.gatewayBin);
    leftovers.push(() => {
      if (gateway.child.exitCode === null) gateway.child.kill("SIGKILL");
    });
    const ports = { http: gateway.httpPort, mqtt: gateway.mqttPort };
    const base = `http://127.0.0.1:${ports.http}`;
    let planned = false;
    let restarts = 0;
    const watch = (running: GatewayProcess) =>
      running.child.once("exit", (code, signal) => {
        recording.exits.push({ atMs: at(), planned, detail: `exit ${code ?? signal}` });
      });
    watch(gateway);
    const restart = async (signal: "SIGTERM" | "SIGKILL") => {
      planned = true;
      await stopProcess(gateway.child, signal);
      planned = false;
      gateway = await spawnGateway(o.dir, config(ports.http, ports.mqtt), {}, o.gatewayBin);
      watch(gateway);
      restarts += 1;
    };

    // An admin registers the passes; guards handle alerts from then on.
    const login = async () => {
      const response = await fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "admin-test-pass" }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    const token = await login();
    const act = async (
      what: string,
      path: string,
      body: object | string,
      allowed: number[],
      method = "POST",
    ) => {
      const startMs = at();
      try {
        const csv = typeof body === "string";
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": csv ? "text/csv" : "application/json",
          },
          body: csv ? body : JSON.stringify(body),
        });
        await response.arrayBuffer();
        recording.actions.push({ what, status: response.status, allowed, startMs, atMs: at() });
        return response;
      } catch {
        return null; // the gateway was restarting: not an answer
      }
    };
    // The admin imports the residents' passes from a spreadsheet, as an office does.
    await act(
      "import passes",
      "/api/passes/import",
      `pass_id,holder_name,unit,status,observation_until\n${passes.map((p) => [p.pass_id, p.holder_name, p.unit, p.status, p.observation_until].join(",")).join("\n")}\n`,
      [200],
    );
    // A slow screen: a kiosk that completes its handshake and then never reads (the gateway must
    // drop it, not grow or slow down for it).
    const stalled = connect(ports.http, "127.0.0.1");
    stalled.on("error", () => {});
    stalled.write(
      `GET /live?checkpoint=${gates[0]?.id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    stalled.pause();

    // Kiosks: one per gate, reconnecting with since= like a real screen.
    const latencies: { phase: number; ms: number }[] = [];
    const sentAt = new Map<string, number>();
    let kiosksOpen = true;
    const kiosk = (gate: string) => {
      let lastSeq = 0;
      let replayLeft = 0;
      const open = () => {
        if (!kiosksOpen) return;
        const ws = new WebSocket(
          `ws://127.0.0.1:${ports.http}/live?checkpoint=${gate}&since=${lastSeq}`,
        );
        ws.on("message", (data) => {
          const text = String(data);
          recording.kiosk.push(text);
          const message = JSON.parse(text) as {
            seq: number;
            type: string;
            data: { msg_id?: string; replay?: { count: number } | null };
          };
          if (message.type === "hello") {
            replayLeft = message.data.replay?.count ?? 0;
            return;
          }
          lastSeq = Math.max(lastSeq, message.seq);
          // Latency of what is pushed live, not of what a reconnecting screen is replayed.
          if (replayLeft > 0) {
            replayLeft -= 1;
            return;
          }
          const sent = message.data.msg_id ? sentAt.get(message.data.msg_id) : undefined;
          if (message.type === "reading" && sent !== undefined)
            latencies.push({ phase: recording.faults.length, ms: Date.now() - sent });
        });
        ws.on("error", () => {});
        ws.on("close", () => setTimeout(open, 300));
        return ws;
      };
      return open();
    };
    const kiosks = gates.map((g) => kiosk(g.id));

    // Devices: mqtt.js keeps what was not acknowledged and sends it again after a restart.
    const clients = new Map<string, MqttClient>();
    for (const device of devices) {
      const client = mqtt.connect(`mqtt://127.0.0.1:${ports.mqtt}`, {
        username: device.id,
        password: DEVICE_PASSWORD,
        clientId: `soak-${device.id}`,
        reconnectPeriod: 200,
      });
      client.on("error", () => {});
      clients.set(device.id, client);
    }
    await until(() => [...clients.values()].every((c) => c.connected), 10_000, "devices connected");
    const pending: Promise<void>[] = [];
    let msgNo = 0;
    const send = (deviceId: string, kind: "reading" | "scan", body: object) => {
      const client = clients.get(deviceId);
      if (!client) return;
      msgNo += 1;
      const msgId = `${kind}-${msgNo}`;
      const message = { msgId, kind, acked: false, atMs: at() };
      recording.sent.push(message);
      sentAt.set(msgId, Date.now());
      const topic = deviceTopic(deviceId, kind === "reading" ? "temperature" : "scan");
      pending.push(
        client.publishAsync(topic, JSON.stringify({ ...body, msg_id: msgId }), { qos: 1 }).then(
          () => {
            message.acked = true;
          },
          () => {},
        ),
      );
    };
    const db = () => new Database(dbPath, { readonly: true });
    const read = (sql: string) => {
      const handle = db();
      try {
        return handle.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        handle.close();
      }
    };

    // The crowd: the simulator's scenarios, a mix per gate, sent when due.
    const people = crowd({
      seed: o.seed + 1,
      gates,
      rate: o.rate,
      feverShare: 0.1,
      segmentMs: 20_000,
    });
    let due: CrowdAction | undefined = people.next().value;
    const sendDue = () => {
      for (; due && due.atMs <= at(); due = people.next().value) {
        const ts = Date.now();
        if (due.kind === "temperature") send(due.deviceId, "reading", { temp_c: due.tempC, ts });
        else if (due.kind === "scan")
          send(readerOf(due.gate.id), "scan", { pass_id: due.passId, method: "card", ts });
      }
    };
    // The serial gate: a person every second or two, one at a time, as a real gate would.
    let serialRunning = true;
    const serialCrowd = (async () => {
      while (serialRunning) {
        await serialGate.person();
        await sleep(1000);
      }
    })();

    // RSS per phase (a phase ends at each fault).
    const rssMaxMb: number[] = [0];
    const phaseStarts: { after: string; atMs: number }[] = [{ after: "start", atMs: 0 }];
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${gateway.child.pid}/status`, "utf8");
        const mb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        rssMaxMb[rssMaxMb.length - 1] = Math.max(rssMaxMb.at(-1) ?? 0, mb);
      } catch {
        // between a kill and the restart
      }
    }, 500);

    // The admin puts a resident under home observation now and then, and ends another's.
    const observations = setInterval(() => {
      const pass = passes[Math.floor(adminRandom.next() * passes.length)];
      if (!pass) return;
      const until = adminRandom.chance(0.5)
        ? new Date(Date.now() + 14 * 86_400_000).toISOString()
        : null;
      void act(
        `observe ${pass.pass_id}`,
        `/api/passes/${pass.pass_id}`,
        { observation_until: until },
        [200],
        "PATCH",
      );
    }, 5000);
    const guards = setInterval(async () => {
      try {
        const response = await fetch(`${base}/api/alerts?state=open&limit=5`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const { items } = (await response.json()) as { items: { id: string; kind: AlertKind }[] };
        for (const alert of items.slice(0, 3)) {
          await act(`ack ${alert.id}`, `/api/alerts/${alert.id}/ack`, {}, [200, 409]);
          await act(
            `resolve ${alert.id}`,
            `/api/alerts/${alert.id}/resolve`,
            { ...guardsResolution(alert.kind, guardRandom), note: NOTE },
            [200, 409],
          );
        }
      } catch {
        // restarting
      }
    }, 1500);

    const faultCount: Record<string, number> = {};
    const skipped: Record<string, number> = {};
    const fault = async (kind: string) => {
      if (kind === "full_disk" && !disk.canFill) {
        skipped[kind] = (skipped[kind] ?? 0) + 1;
        o.log(
          `soak: ${Math.round(at() / 1000)} s: full_disk skipped (a tmpfs of its own needs root)`,
        );
        return;
      }
      const record = { atMs: at(), kind, untilMs: at() };
      recording.faults.push(record);
      faultCount[kind] = (faultCount[kind] ?? 0) + 1;
      rssMaxMb.push(0);
      phaseStarts.push({ after: kind, atMs: record.atMs });
      o.log(`soak: ${Math.round(at() / 1000)} s: ${kind}`);
      if (kind.startsWith("district_")) await district.fault(kind, sleep);
      else await carryOut(kind);
      record.untilMs = at();
    };
    const carryOut = async (kind: string) => {
      switch (kind) {
        case "sigterm":
          return restart("SIGTERM");
        case "sigkill":
          return restart("SIGKILL");
        case "upstream_outage":
          proxy.cut();
          await sleep(3000);
          proxy.restore();
          return;
        case "upstream_flapping":
          // A link that drops every few hundred milliseconds: sessions half set up, PUBACKs lost.
          for (let i = 0; i < 8; i++) {
            proxy.cut();
            await sleep(150);
            proxy.restore();
            await sleep(250);
          }
          return;
        case "serial_unplug":
          await serialGate.unplug();
          await sleep(3000);
          await serialGate.plug();
          return;
        case "full_disk":
          // Every byte taken for 3 s: nothing may be acknowledged meanwhile, nothing lost after.
          disk.fill();
          await sleep(3000);
          disk.free();
          return;
        case "garbage": {
          const client = clients.get(devices[0]?.id ?? "");
          for (const payload of ["not json", '{"temp_c":"hot"}', "{}", "\u0000\u00ff"])
            await client
              ?.publishAsync(deviceTopic(devices[0]?.id ?? "", "temperature"), payload, { qos: 1 })
              .catch(() => {});
          return;
        }
        case "wrong_clock": {
          const thermo = devices.find((d) => d.kind === "thermometer");
          if (thermo) send(thermo.id, "reading", { temp_c: 38.6, ts: Date.UTC(2100, 0, 1) });
          return;
        }
        case "replay_burst": {
          const burst = Array.from({ length: 30 }, (_, i) => {
            const ws = new WebSocket(
              `ws://127.0.0.1:${ports.http}/live?checkpoint=${gates[0]?.id}&since=0`,
              {
                localAddress: `127.0.0.${60 + Math.floor(i / 10)}`,
              },
            );
            ws.on("message", (data) => recording.kiosk.push(String(data)));
            ws.on("error", () => {});
            return ws;
          });
          await sleep(500);
          for (const ws of burst) ws.terminate();
          return;
        }
      }
    };

    // The run: the crowd as it comes, faults on the seeded schedule one after another (the crowd
    // does not wait for them: people keep arriving while the gateway restarts).
    const end = start + o.seconds * 1000;
    // The district's faults come on their own schedule, beside the gateway's.
    let next = 0;
    let nextDistrict = 0;
    let faults = Promise.resolve();
    let districtFaults = Promise.resolve();
    while (Date.now() < end) {
      sendDue();
      await sleep(100);
      const scheduled = schedule[next];
      if (scheduled && at() >= scheduled.atMs) {
        next += 1;
        faults = faults.then(() => fault(scheduled.kind));
      }
      const districtFault = districtSchedule[nextDistrict];
      if (districtFault && at() >= districtFault.atMs) {
        nextDistrict += 1;
        districtFaults = districtFaults.then(() => fault(districtFault.kind));
      }
    }
    await faults;
    await districtFaults;
    district.stopClients();
    proxy.restore();

    // The serial devices must be read again after the last interruption: keep the serial gate's
    // people coming until one is stored after it (the checker says so if none is).
    const lastInterruption = Math.max(
      0,
      ...recording.faults
        .filter((f) => SERIAL_INTERRUPTIONS.includes(f.kind))
        .map((f) => f.untilMs),
    );
    await until(
      () =>
        (read(
          `SELECT count(*) AS n FROM readings WHERE device_id = '${SERIAL_THERMOMETER}' AND ts_ms >= ${start + lastInterruption}`,
        )[0]?.n as number) > 0,
      30_000,
      "a serial reading after the last interruption",
    ).catch((error: Error) => o.log(error.message));
    serialRunning = false;
    await serialCrowd;

    // Drain: everything acknowledged, windows ended, the district caught up; then stop.
    // A bound for the drain, not a speed: on a busy 2-core CI machine running other suites beside
    // it, the devices' retries after the last fault took more than 60 s to be acknowledged.
    await until(() => recording.sent.every((m) => m.acked), 150_000, "every message acknowledged");
    await Promise.all(pending);
    clearInterval(guards);
    clearInterval(observations);
    stalled.destroy();
    for (const client of clients.values()) await client.endAsync(true);
    kiosksOpen = false;
    for (const ws of kiosks) ws?.close();
    await until(
      () =>
        (read("SELECT count(*) AS n FROM decision_state WHERE key LIKE 'pairing:%'")[0]
          ?.n as number) === 0,
      15_000,
      "every window ended",
    );
    const forwardable = () =>
      read(
        "SELECT seq FROM passages UNION ALL SELECT seq FROM alert_events UNION ALL SELECT seq FROM device_status UNION ALL SELECT seq FROM summary_reports",
      ).map((row) => `${GATEWAY_ID}:${row.seq}`);
    await until(
      () => {
        const received = new Set(recording.upstream.map((m) => m.id));
        return forwardable().every((id) => received.has(id));
      },
      60_000,
      "the district caught up",
    );
    // The district's own store caught up too (a bound; what it still misses, the checker says).
    await district.drain(forwardable(), 120_000);
    const gatewayDay = async (date: string) => {
      const response = await fetch(`${base}/api/summary/daily?date=${date}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!response.ok) return null;
      const day = (await response.json()) as {
        checkpoints: { passages: number; allowed: number; denied: number }[];
      };
      return day.checkpoints.reduce(
        (sum, c) => ({
          passages: sum.passages + c.passages,
          allowed: sum.allowed + c.allowed,
          denied: sum.denied + c.denied,
        }),
        { passages: 0, allowed: 0, denied: 0 },
      );
    };
    recording.district = await district.collect(
      start,
      gatewayDay,
      Object.fromEntries(
        read("SELECT alert_id, state FROM alerts").map((row) => [row.alert_id, row.state]),
      ),
    );
    await district.stop();
    clearInterval(sampler);
    planned = true;
    await stopProcess(gateway.child, "SIGTERM");
    await consumer.endAsync(true);
    await proxy.close();
    await broker.stop();

    const handle = db();
    try {
      const all = <T>(sql: string) => handle.prepare(sql).all() as T[];
      recording.stored = {
        readings: all(
          "SELECT seq, ts_ms, msg_id, checkpoint_id, device_id, status, raw_c FROM readings",
        ),
        scans: all("SELECT seq, ts_ms, msg_id, checkpoint_id, device_id, pass_id FROM scans"),
        passages: all("SELECT seq, ts_ms, reading_id, scan_id, decision, reasons FROM passages"),
        alertChanges: all("SELECT seq, ts_ms, alert_id FROM alert_events"),
        alerts: all("SELECT alert_id, kind, reading_id FROM alerts"),
        deviceStatus: all("SELECT seq, ts_ms FROM device_status"),
        summaries: all("SELECT seq, created_at_ms AS ts_ms FROM summary_reports"),
        waitingHalves: handle
          .prepare("SELECT count(*) FROM decision_state WHERE key LIKE 'pairing:%'")
          .pluck()
          .get() as number,
      };
    } finally {
      handle.close();
    }
    const ms = (phase: number | null) =>
      latencies.filter((l) => phase === null || l.phase === phase).map((l) => l.ms);
    return {
      recording,
      figures: {
        sent: recording.sent.length,
        acked: recording.sent.filter((m) => m.acked).length,
        serialSent: serialGate.sent.length,
        faults: faultCount,
        skipped,
        restarts,
        phases: phaseStarts.map((p, i) => ({
          ...p,
          rssMaxMb: Math.round(rssMaxMb[i] ?? 0),
          shown: ms(i).length,
          p50Ms: percentile(ms(i), 50),
          p99Ms: percentile(ms(i), 99),
        })),
        latencyMs: { p50: percentile(ms(null), 50), p99: percentile(ms(null), 99) },
        district: {
          honest: recording.district.hostile.honestIds.length,
          forgeries: recording.district.forgeries.length,
          deadLetters: recording.district.deadLetters.length,
          stored: recording.district.stored.length,
          apiRequests: recording.district.api.length,
          api503: recording.district.api.filter((a) => a.status === 503).length,
        },
      },
    };
  }
}
