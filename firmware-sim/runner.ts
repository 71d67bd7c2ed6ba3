import { MqttDevice } from "./mqtt-device.js";
import type {
  NoiseAction,
  ScanAction,
  ScenarioAction,
  TemperatureAction,
  UnplugAction,
} from "./scenarios.js";

/** Where a scenario's actions go: MQTT devices or serial ones. A missing handler skips the action. */
export interface SimTargets {
  describe(): string;
  temperature?(action: TemperatureAction): Promise<string>;
  scan?(action: ScanAction): Promise<string>;
  noise?(action: NoiseAction): Promise<string>;
  unplug?(action: UnplugAction): Promise<string>;
  close(): Promise<void>;
}

export interface RunOptions {
  targets: SimTargets;
  actions: Iterable<ScenarioAction>;
  /** Run this many times faster than real time; Infinity sends without waiting. */
  speed: number;
  print: (line: string) => void;
  /** Print one line per action (otherwise only progress lines). */
  verbose: boolean;
  signal?: AbortSignal;
}

export interface RunSummary {
  sent: number;
  fevers: number;
  failed: number;
  skipped: number;
}

/** Plays a scenario in time, printing what it sent and a progress line every 5 s and at the end. */
export async function runScenario(options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = { sent: 0, fevers: 0, failed: 0, skipped: 0 };
  const started = Date.now();
  let lastProgress = started;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    options.print(
      `progress: ${summary.sent} sent, ${summary.fevers} with fever, ${summary.failed} failed, ${summary.skipped} skipped, ${(summary.sent / Math.max(seconds, 0.001)).toFixed(1)}/s`,
    );
  };
  const { targets } = options;
  try {
    for (const action of options.actions) {
      if (options.signal?.aborted) break;
      const wait = started + action.atMs / options.speed - Date.now();
      if (Number.isFinite(wait) && wait > 0) await sleep(wait, options.signal);
      if (options.signal?.aborted) break;
      const handler = targets[action.kind] as
        | ((action: ScenarioAction) => Promise<string>)
        | undefined;
      if (!handler) {
        summary.skipped += 1;
        if (options.verbose)
          options.print(
            `${action.kind} (${action.note}): not possible with ${targets.describe()}, skipped`,
          );
        continue;
      }
      try {
        const what = await handler.call(targets, action);
        summary.sent += 1;
        if (action.note.startsWith("fever")) summary.fevers += 1;
        if (options.verbose) options.print(`${new Date().toISOString()} ${what} (${action.note})`);
      } catch (error) {
        summary.failed += 1;
        options.print(`${action.kind} failed: ${(error as Error).message}`);
      }
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        progress();
      }
    }
  } finally {
    progress();
    await targets.close();
  }
  return summary;
}

export interface SimDevice {
  id: string;
  password: string;
}

/** Thermometers and readers as MQTT devices with their own credentials (docs/contract.md#devices-over-mqtt). */
export async function mqttTargets(
  url: string,
  thermometers: SimDevice[],
  readers: SimDevice[],
  runId: string,
  doors: SimDevice[] = [],
  print: (line: string) => void = () => {},
): Promise<SimTargets> {
  const connect = (d: SimDevice) => new MqttDevice(d.id, d.password, url);
  const thermometerDevices = new Map(thermometers.map((d) => [d.id, connect(d)]));
  const readerDevices = readers.map(connect);
  const doorDevices = doors.map(connect);
  const all = [...thermometerDevices.values(), ...readerDevices, ...doorDevices];
  await Promise.all(all.map((d) => d.connect()));
  // A door controller only listens: it prints what the gateway told it.
  await Promise.all(
    doorDevices.map((door) => door.onCommand((command) => print(`${door.id} <- ${command}`))),
  );
  let readerTurn = 0;
  const targets: SimTargets = {
    describe: () => `MQTT at ${url}`,
    async temperature(action) {
      const device = thermometerDevices.get(action.deviceId) ?? [...thermometerDevices.values()][0];
      if (!device) throw new Error("no MQTT thermometer in the config");
      const msgId = await device.sendTemperature(action.tempC, runId);
      return `${device.id} -> ${action.tempC.toFixed(2)} °C [${msgId}]`;
    },
    async close() {
      await Promise.all(all.map((d) => d.close()));
    },
  };
  if (readerDevices.length > 0) {
    targets.scan = async (action) => {
      const device = readerDevices[readerTurn++ % readerDevices.length] as MqttDevice;
      const msgId = await device.sendScan(action.passId, "card", runId);
      return `${device.id} -> card ${action.passId} [${msgId}]`;
    };
  }
  return targets;
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind (a crowd sleeps per person). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const abort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}
