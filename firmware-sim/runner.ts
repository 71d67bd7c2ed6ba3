import { MqttDevice } from "./mqtt-device.js";
import type { ScenarioAction } from "./scenarios.js";

export interface SimDevice {
  id: string;
  password: string;
}

export interface RunOptions {
  url: string;
  thermometers: SimDevice[];
  actions: Iterable<ScenarioAction>;
  /** Run this many times faster than real time; Infinity sends without waiting. */
  speed: number;
  /** A prefix for message ids, so runs with different seeds do not collide. */
  runId: string;
  print: (line: string) => void;
  /** Print one line per message (otherwise only progress lines). */
  verbose: boolean;
  signal?: AbortSignal;
}

export interface RunSummary {
  sent: number;
  fevers: number;
  failed: number;
}

/** Plays a scenario against a broker with real MQTT devices, printing what it sent. */
export async function runScenario(options: RunOptions): Promise<RunSummary> {
  const devices = new Map(
    options.thermometers.map((d) => [d.id, new MqttDevice(d.id, d.password, options.url)]),
  );
  await Promise.all([...devices.values()].map((d) => d.connect()));
  const summary: RunSummary = { sent: 0, fevers: 0, failed: 0 };
  const started = Date.now();
  let lastProgress = started;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    options.print(
      `progress: ${summary.sent} sent, ${summary.fevers} with fever, ${summary.failed} failed, ${(summary.sent / Math.max(seconds, 0.001)).toFixed(1)}/s`,
    );
  };
  try {
    for (const action of options.actions) {
      if (options.signal?.aborted) break;
      const due = started + action.atMs / options.speed;
      const wait = due - Date.now();
      if (Number.isFinite(wait) && wait > 0) await sleep(wait, options.signal);
      const device = devices.get(action.deviceId);
      if (!device) throw new Error(`scenario uses unknown device '${action.deviceId}'`);
      try {
        const msgId = await device.sendTemperature(action.tempC, options.runId);
        summary.sent += 1;
        if (action.note.startsWith("fever")) summary.fevers += 1;
        if (options.verbose)
          options.print(
            `${new Date().toISOString()} ${action.deviceId} -> ${action.tempC.toFixed(2)} °C (${action.note}) [${msgId}]`,
          );
      } catch (error) {
        summary.failed += 1;
        options.print(`${action.deviceId}: not acknowledged: ${(error as Error).message}`);
      }
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        progress();
      }
    }
  } finally {
    progress();
    await Promise.all([...devices.values()].map((d) => d.close()));
  }
  return summary;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
