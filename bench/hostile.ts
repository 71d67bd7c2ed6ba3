import { connect } from "node:net";
import mqttPacket from "mqtt-packet";
import WebSocket from "ws";
import {
  connectDevices,
  DEVICE_PASSWORD,
  percentile,
  rssMbOf,
  saturate,
  startGateway,
  stop,
} from "./harness.js";

/**
 * Hostile-input figures: the gateway's memory before, during and after sockets that announce
 * huge packets (before and after login); how fast `/api/health` answers while 100 anonymous
 * kiosks ask for a replay; a good device's throughput during a login storm against its own
 * throughput without one, in the same run.
 */
export interface HostileFigures {
  rss: { before: number; peak: number; after: number };
  healthMs: { p50: number; p99: number; samples: number };
  replayedKiosks: number;
  throughput: { calm: number; storm: number; logins: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket that sends `head`, then trickles zeros until the peer closes it or `ms` pass. */
function trickle(port: number, head: Buffer, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(head);
    const timer = setInterval(() => socket.write(Buffer.alloc(16 * 1024)), 5);
    const end = () => {
      clearInterval(timer);
      socket.destroy();
      resolve();
    };
    socket.once("close", end);
    setTimeout(end, ms);
  });
}

export async function hostileFigures(
  distDir: string,
  dir: string,
  quick: boolean,
): Promise<HostileFigures> {
  const target = await startGateway(distDir, dir, 10);
  const pid = target.child.pid as number;
  const http = `http://127.0.0.1:${target.httpPort}`;
  const devices = await connectDevices(target.mqttPort, 10, true);
  // Events for the replays to come.
  await saturate(devices, 100, quick ? 1000 : 3000);

  // 1. Memory under oversized packets: 8 announcing a 256 MB CONNECT, 8 a 2 MB PUBLISH right
  // after a valid CONNECT; each trickles its body.
  const before = rssMbOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMbOf(pid));
  }, 50);
  const connectPacket = mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId: "bench-big",
    keepalive: 60,
    username: "thermo-0",
    password: Buffer.from(DEVICE_PASSWORD),
  });
  await Promise.all([
    ...Array.from({ length: 8 }, () =>
      trickle(target.mqttPort, Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), 2000),
    ),
    ...Array.from({ length: 8 }, () =>
      trickle(
        target.mqttPort,
        Buffer.concat([connectPacket, Buffer.from([0x32, 0x80, 0x80, 0x80, 0x01])]),
        2000,
      ),
    ),
  ]);
  clearInterval(sampler);
  await sleep(1000);
  const after = rssMbOf(pid);

  // 2. /api/health while 100 anonymous kiosks (5 addresses x 20) ask for a replay from 0.
  const latencies: number[] = [];
  let replayed = 0;
  const kiosks = Array.from({ length: 100 }, (_, i) => {
    const ws = new WebSocket(`ws://127.0.0.1:${target.httpPort}/live?checkpoint=gate-1&since=0`, {
      localAddress: `127.0.0.${100 + Math.floor(i / 20)}`,
    });
    let expected = -1;
    let got = 0;
    ws.on("message", (data) => {
      if (expected < 0) {
        expected = (JSON.parse(String(data)) as { data: { replay: { count: number } } }).data.replay
          .count;
      } else got += 1;
      if (got === expected) replayed += 1;
    });
    ws.on("error", () => {});
    return ws;
  });
  const until = Date.now() + 5000;
  while (replayed < 100 && Date.now() < until) {
    const start = process.hrtime.bigint();
    await (await fetch(`${http}/api/health`)).arrayBuffer();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  for (const ws of kiosks) ws.terminate();

  // 3. Good devices' throughput, calm and during a login storm: 200 concurrent wrong-password
  // logins without pause from one address (throttled after 30, as an attacker would be).
  const seconds = quick ? 2000 : 5000;
  const calm = (await saturate(devices, 100, seconds)) / (seconds / 1000);
  let storming = true;
  let logins = 0;
  const storm = Array.from({ length: 200 }, async (_, i) => {
    while (storming) {
      await fetch(`${http}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: `guess-${i}-${logins}` }),
      }).then(
        (response) => response.arrayBuffer(),
        () => undefined,
      );
      logins += 1;
    }
  });
  const stormRate = (await saturate(devices, 100, seconds)) / (seconds / 1000);
  storming = false;
  await Promise.all(storm);
  for (const device of devices) device.close();
  await stop(target.child);
  return {
    rss: { before, peak, after },
    healthMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      samples: latencies.length,
    },
    replayedKiosks: replayed,
    throughput: { calm, storm: stormRate, logins: logins / (seconds / 1000) },
  };
}
