import { startMosquitto } from "../firmware-sim/parts/mosquitto.js";
import {
  connectDevices,
  cpuOf,
  DEVICE_PASSWORD,
  spawnGatewayProcess,
  stop,
  type Target,
} from "./harness.js";

const GATEWAY_USER = "checkpoint-gateway";
const GATEWAY_PASSWORD = "bench-gateway-pass";

/**
 * `mqtt.mode: external`: `readings` published by 10 devices to Debian's Mosquitto (which
 * acknowledges them itself), timed until the gateway has stored them all. mqtt.js hands each
 * session one QoS 1 message at a time and the gateway acknowledges it after its commit, so one
 * session is bounded by commit latency; `connections` sessions share a subscription and fill
 * each commit together.
 */
export async function externalBrokerRate(
  distDir: string,
  dir: string,
  readings: number,
  connections: number,
): Promise<{ perS: number; seconds: number; cpuUs: number } | null> {
  const devices = 10;
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  try {
    broker = await startMosquitto(
      dir,
      {
        [GATEWAY_USER]: GATEWAY_PASSWORD,
        ...Object.fromEntries(
          Array.from({ length: devices }, (_, i) => [`thermo-${i}`, DEVICE_PASSWORD]),
        ),
      },
      "devices",
    );
  } catch (error) {
    process.stderr.write(
      `bench: no Mosquitto, external broker figure skipped (${(error as Error).message.split("\n")[0]})\n`,
    );
    return null;
  }
  const target: Target = await spawnGatewayProcess(distDir, dir, (config) => {
    Object.assign(config, {
      mqtt: {
        mode: "external",
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: GATEWAY_USER,
        password: GATEWAY_PASSWORD,
        connections,
      },
    });
    config.devices = Array.from({ length: devices }, (_, i) => ({
      id: `thermo-${i}`,
      kind: "thermometer",
      checkpoint: "gate-1",
      password: DEVICE_PASSWORD,
    }));
  });
  const lastSeq = async () =>
    (
      (await (await fetch(`http://127.0.0.1:${target.httpPort}/api/health`)).json()) as {
        db: { last_seq: number };
      }
    ).db.last_seq;
  const clients = await connectDevices(broker.port, devices, true);
  const seq0 = await lastSeq();
  const cpu0 = cpuOf(target.child.pid as number);
  const start = performance.now();
  let sent = 0;
  await Promise.all(
    clients.map(
      (client, d) =>
        new Promise<void>((resolve) => {
          const each = Math.ceil(readings / devices);
          let acked = 0;
          for (let i = 0; i < each; i++)
            client.publish(`{"temp_c":36.6,"msg_id":"ext-${d}-${i}"}`, () => {
              acked += 1;
              if (acked === each) resolve();
            });
          sent += each;
        }),
    ),
  );
  // Each reading at a temperature-only gate is stored with its passage: two events.
  while ((await lastSeq()) - seq0 < 2 * sent) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = cpuOf(target.child.pid as number);
  for (const client of clients) client.close();
  await stop(target.child);
  await broker.stop();
  return {
    perS: sent / seconds,
    seconds,
    cpuUs: ((cpu1.userS + cpu1.systemS - cpu0.userS - cpu0.systemS) * 1e6) / sent,
  };
}
