import { Agent, request } from "node:http";
import {
  hikvisionMultipart,
  hikvisionNotification,
} from "../gateway/devices/hikvision-isapi/encode.js";
import {
  connectDevices,
  cpuOf,
  saturate,
  spawnGatewayProcess,
  startGateway,
  stop,
} from "./harness.js";

/**
 * Network terminals' ingest (docs/contract.md#network-terminals-over-http): 20 simulated Hikvision terminals, each posting its events
 * one after another as a terminal does (the next after the 200), JSON, then with a 60 kB picture
 * part; events/s and the gateway's CPU per event, beside MQTT ingest (10 devices, QoS 1) in the
 * same run.
 */
export interface TerminalFigures {
  jsonPerS: number;
  jsonCpuUs: number;
  picturePerS: number;
  pictureCpuUs: number;
  mqttPerS: number;
  mqttCpuUs: number;
}

const TERMINALS = 20;
const PASSWORD = "bench-terminal-pass";

function post(
  agent: Agent,
  port: number,
  path: string,
  body: Buffer,
  type: string,
  id: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: {
          "content-type": type,
          "content-length": body.length,
          authorization: `Basic ${Buffer.from(`${id}:${PASSWORD}`).toString("base64")}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function drive(
  port: number,
  pid: number,
  seconds: number,
  picture: Buffer | null,
  from: number,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: TERMINALS });
  const end = Date.now() + seconds * 1000;
  const before = cpuOf(pid);
  let events = 0;
  await Promise.all(
    Array.from({ length: TERMINALS }, async (_, t) => {
      const id = `hik-${t}`;
      for (let serial = from; Date.now() < end; serial++) {
        const json = hikvisionNotification({
          serialNo: serial,
          dateTime: new Date().toISOString(),
          tempC: 36.5,
        });
        const { body, contentType } = picture
          ? hikvisionMultipart(json, [picture])
          : { body: Buffer.from(json), contentType: "application/json" };
        if ((await post(agent, port, `/ingest/hikvision/${id}`, body, contentType, id)) === 200)
          events += 1;
      }
    }),
  );
  const after = cpuOf(pid);
  agent.destroy();
  const cpuUs =
    ((after.userS + after.systemS - before.userS - before.systemS) * 1e6) / Math.max(events, 1);
  return { perS: events / seconds, cpuUs };
}

export async function terminalFigures(
  dist: string,
  dir: string,
  quick: boolean,
): Promise<TerminalFigures> {
  const seconds = quick ? 3 : 10;
  const target = await spawnGatewayProcess(dist, dir, (config) => {
    config.devices = Array.from({ length: TERMINALS }, (_, t) => ({
      id: `hik-${t}`,
      checkpoint: "gate-1",
      transport: "http",
      protocol: "hikvision-isapi",
      password: PASSWORD,
    }));
  });
  const pid = target.child.pid as number;
  const json = await drive(target.httpPort, pid, seconds, null, 1);
  const pictures = await drive(
    target.httpPort,
    pid,
    seconds,
    Buffer.alloc(60 * 1024, 0xab),
    10_000_000,
  );
  await stop(target.child);

  const mqtt = await startGateway(dist, dir, 10);
  const devices = await connectDevices(mqtt.mqttPort, 10, true);
  const mqttPid = mqtt.child.pid as number;
  const before = cpuOf(mqttPid);
  const count = await saturate(devices, 100, seconds * 1000);
  const after = cpuOf(mqttPid);
  for (const device of devices) device.close();
  await stop(mqtt.child);
  return {
    jsonPerS: json.perS,
    jsonCpuUs: json.cpuUs,
    picturePerS: pictures.perS,
    pictureCpuUs: pictures.cpuUs,
    mqttPerS: count / seconds,
    mqttCpuUs: ((after.userS + after.systemS - before.userS - before.systemS) * 1e6) / count,
  };
}
