import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceTopic } from "../../gateway/mqtt/contract.js";
import { connectDevice, publishQos1 } from "../helpers/device.js";
import { DEVICE_PASSWORD, login } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";

/**
 * Fuzzing a real gateway process at its doors (fast-check, seeded per run, bounded): random and
 * mutated MQTT packets at the broker's socket, random WebSocket upgrades, random requests to
 * every HTTP route. Whatever arrives, the process stays up, never answers 5xx, and a good
 * device keeps being served.
 */
const ADMIN = "admin-test-pass";
let dir: string;
let gateway: GatewayProcess;
let thermo: MqttClient;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-fuzz-"));
  gateway = await spawnGateway(
    dir,
    processConfig(dir, "gw-fuzz", {
      checkpoints: [{ id: "gate-1", name: "Gate", mode: "pass_and_temperature" }],
      devices: [
        { id: "thermo-1", kind: "thermometer", checkpoint: "gate-1", password: DEVICE_PASSWORD },
        { id: "reader-1", kind: "pass_reader", checkpoint: "gate-1", password: DEVICE_PASSWORD },
      ],
    }),
  );
  thermo = await connectDevice(`mqtt://127.0.0.1:${gateway.mqttPort}`, "thermo-1");
  token = await login(`http://127.0.0.1:${gateway.httpPort}`, "admin", ADMIN);
});
afterAll(async () => {
  await thermo?.endAsync(true);
  if (gateway) await stopProcess(gateway.child, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

let good = 0;
async function stillServing(): Promise<void> {
  expect(gateway.child.exitCode).toBeNull();
  good += 1;
  await publishQos1(thermo, deviceTopic("thermo-1", "temperature"), {
    temp_c: 36.6,
    msg_id: `fuzz-good-${good}`,
  });
}

/** Writes bytes on a fresh socket and resolves when the peer closed it or a short while passed. */
function sendRaw(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(bytes, () => socket.end());
    setTimeout(done, 200).unref();
  });
}

const mqttPackets = fc.oneof(
  fc.constantFrom(
    mqttPacket.generate({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId: "fuzz",
      keepalive: 60,
      username: "thermo-1",
      password: Buffer.from(DEVICE_PASSWORD),
    }),
    mqttPacket.generate({
      cmd: "publish",
      topic: deviceTopic("thermo-1", "temperature"),
      payload: Buffer.from('{"temp_c":36.6}'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    }),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

describe("fuzzing a real gateway process", () => {
  it("MQTT: random and mutated CONNECT/PUBLISH bytes at the socket", async () => {
    await fc.assert(
      fc.asyncProperty(
        mqttPackets,
        fc.array(fc.tuple(fc.nat(400), fc.nat(255)), { maxLength: 6 }),
        async (packet, mutations) => {
          const bytes = Buffer.from(packet);
          for (const [at, value] of mutations)
            if (bytes.length > 0) bytes[at % bytes.length] = value;
          await sendRaw(gateway.mqttPort, bytes);
        },
      ),
      { numRuns: 150 },
    );
    await stillServing();
  });

  it("WebSocket upgrades with random paths, queries and headers", async () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/live", "/live/guard", "//[", "/", "/live?checkpoint="),
        text,
        text,
        async (path, query, header) => {
          const clean = (value: string) => value.replace(/[\r\n]/g, "");
          const request =
            `GET ${clean(path)}${clean(query)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
            `Sec-WebSocket-Version: 13\r\nCookie: ${clean(header)}\r\nOrigin: ${clean(header)}\r\n\r\n`;
          const answer = await sendRaw(gateway.httpPort, Buffer.from(request, "latin1"));
          expect(answer).not.toMatch(/^HTTP\/1\.1 5\d\d/);
        },
      ),
      { numRuns: 150 },
    );
    await stillServing();
  });

  it("HTTP: random requests to every route, as admin, never a 5xx", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/health"],
      ["POST", "/api/auth/login"],
      ["GET", "/api/auth/me"],
      ["GET", "/api/readings"],
      ["GET", "/api/passages"],
      ["GET", "/api/passages/X"],
      ["GET", "/api/alerts"],
      ["POST", "/api/alerts/X/ack"],
      ["POST", "/api/alerts/X/resolve"],
      ["GET", "/api/passes"],
      ["GET", "/api/passes/X"],
      ["POST", "/api/passes"],
      ["PATCH", "/api/passes/X"],
      ["DELETE", "/api/passes/X"],
      ["POST", "/api/passes/import"],
      ["GET", "/api/users"],
      ["POST", "/api/users"],
      ["PATCH", "/api/users/X"],
      ["GET", "/api/audit"],
      ["GET", "/api/config"],
      ["GET", "/api/export/X"],
      ["GET", "/api/summary/daily"],
      ["GET", "/api/counts/today"],
      ["GET", "/kiosk"],
    ];
    const query = fc.dictionary(
      fc.constantFrom(
        "from",
        "to",
        "limit",
        "cursor",
        "checkpoint",
        "status",
        "date",
        "q",
        "reason",
      ),
      fc.string({ maxLength: 30 }),
      { maxKeys: 4 },
    );
    const body = fc.oneof(
      fc.json().map((json) => ({ type: "application/json", text: json })),
      fc.string({ maxLength: 200 }).map((text) => ({ type: "application/json", text })),
      fc.string({ maxLength: 200 }).map((text) => ({ type: "text/csv", text })),
      fc.string({ maxLength: 200 }).map((text) => ({ type: "text/plain", text })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ maxLength: 20 }),
        query,
        body,
        async ([method, path], id, params, payload) => {
          const url = new URL(
            path.replace("X", encodeURIComponent(id) || "x"),
            `http://127.0.0.1:${gateway.httpPort}`,
          );
          for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
          // Never delete or demote the admin the fuzzer logs in as.
          if (method === "DELETE" && path.startsWith("/api/users")) return;
          const response = await fetch(url, {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": payload.type },
            body: method === "GET" ? undefined : payload.text,
          });
          await response.arrayBuffer();
          expect(response.status, `${method} ${url.pathname}${url.search}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    await stillServing();
  });
});
