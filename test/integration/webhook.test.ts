import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  type RunningGateway,
  startGateway,
  submitReadings,
} from "../helpers/gateway.js";

let dir: string;
let server: Server;
let port: number;
/** What the district's endpoint answers; 200 unless a test says otherwise. */
let answer = 200;
const received: { path: string; authorization: string | undefined; id: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-webhook-"));
  // A self-signed certificate for 127.0.0.1, as a district's own CA would issue.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  server = createServer(
    { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
    (request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => {
        if (answer === 200)
          received.push({
            path: request.url ?? "",
            authorization: request.headers.authorization,
            id: (JSON.parse(body) as { id: string }).id,
          });
        response.writeHead(answer).end();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const webhook = (extra: Record<string, unknown> = {}) => ({
  url: `https://127.0.0.1:${port}/district/`,
  username: "gw-test",
  password: "webhook-pass",
  ca_file: join(dir, "cert.pem"),
  ...extra,
});

describe("forwarding to an HTTPS webhook", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ upstream: webhook() });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const health = async () =>
    (
      (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
        upstream: { connected: boolean; queue_depth: number; last_error: string | null };
      }
    ).upstream;
  const readings = (count: number, fevers: number) => submitReadings(gw, count, fevers);

  it("POSTs each event once to <url>/<site>/<gateway>/<kind>, with its credentials, over verified TLS", async () => {
    readings(10, 2);
    await eventually(() =>
      received.filter((r) => r.path.endsWith("/passage")).length >= 10 ? true : undefined,
    );
    await eventually(async () => ((await health()).queue_depth === 0 ? true : undefined));
    const byKind = (kind: string) => received.filter((r) => r.path.endsWith(`/${kind}`));
    expect(byKind("passage")).toHaveLength(10);
    expect(byKind("alert")).toHaveLength(2);
    expect(byKind("summary")).toHaveLength(1);
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
    expect(byKind("passage")[0]?.path).toBe("/district/demo/gw-test/passage");
    expect(
      received.every(
        (r) =>
          r.authorization === `Basic ${Buffer.from("gw-test:webhook-pass").toString("base64")}`,
      ),
    ).toBe(true);
    expect(await health()).toMatchObject({ connected: true, last_error: null });
  });

  it("keeps every event while the endpoint answers 503, says so, and delivers them all when it is back", async () => {
    received.length = 0;
    answer = 503;
    readings(20, 0);
    await eventually(async () => {
      const now = await health();
      return now.connected === false && now.queue_depth === 20 ? now : undefined;
    });
    expect((await health()).last_error).toMatch(/answered HTTP 503/);
    answer = 200;
    await eventually(async () => ((await health()).queue_depth === 0 ? true : undefined), 20_000);
    const ids = received.filter((r) => r.path.endsWith("/passage")).map((r) => r.id);
    expect(new Set(ids).size).toBe(20);
    expect((await health()).connected).toBe(true);
  });
});

describe("a webhook whose certificate the gateway does not trust", () => {
  it("sends nothing and says why", async () => {
    const gw = await startGateway({ upstream: webhook({ ca_file: undefined }) });
    try {
      submitReadings(gw, 1);
      const upstream = await eventually(async () => {
        const report = (
          (await (await fetch(`${gw.httpUrl}/api/health`)).json()) as {
            upstream: { last_error: string | null; queue_depth: number };
          }
        ).upstream;
        return report.last_error ? report : undefined;
      });
      expect(upstream.last_error).toMatch(/self[- ]signed certificate/);
      expect(upstream.queue_depth).toBeGreaterThan(0);
    } finally {
      await gw.close();
    }
  });
});
