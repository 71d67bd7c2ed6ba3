import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hikvisionNotification } from "../../gateway/devices/hikvision-isapi/encode.js";
import { digestAuthorization, digestFields } from "../../gateway/terminals/digest.js";
import { metricValue } from "../helpers/gateway.js";
import {
  type GatewayProcess,
  processConfig,
  spawnGateway,
  stopProcess,
} from "../helpers/process.js";
import { hikvisionDevice, oneGateSite, TERMINAL_PASSWORD } from "../helpers/terminals.js";

/**
 * A terminal's credentials under attack (issue reports: 100,000 guesses in 23 s, all checked, 15.7
 * MB of log; a Digest answer accepted again with another body; 1,001 anonymous challenges pushing
 * out a terminal's nonce), against a real gateway process. The guesser and the terminal post from
 * two loopback addresses (127.0.0.1 and 127.0.0.2), as two machines would.
 */
const PASSWORD = TERMINAL_PASSWORD;
const PATH = "/ingest/hikvision/hik-1";
const GUESSER = "127.0.0.1";
const TERMINAL = "127.0.0.2";
let dir: string;
let gateway: GatewayProcess;
let serial = 0;

const config = () => processConfig(dir, "gw-cred", oneGateSite([hikvisionDevice("hik-1")]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-cred-attacks-"));
  gateway = await spawnGateway(dir, config());
});
afterAll(async () => {
  await stopProcess(gateway.child);
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  challenge: string;
}

/** A POST from `from` (a loopback address), with these headers. */
function post(
  from: string,
  headers: Record<string, string>,
  body = hikvisionNotification({
    serialNo: ++serial,
    tempC: 36.6,
    dateTime: new Date().toISOString(),
  }),
  path = PATH,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: gateway.httpPort,
        localAddress: from,
        path,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            challenge: [res.headers["www-authenticate"] ?? []].flat().join(", "),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`hik-1:${password}`).toString("base64")}`,
});

/** The Digest challenge in a 401's header. */
function nonceOf(challenge: string): { realm: string; nonce: string; qop: string } {
  const f = digestFields(challenge.slice(challenge.search(/Digest\s/i)));
  return { realm: f.realm ?? "", nonce: f.nonce ?? "", qop: f.qop ?? "" };
}
const digest = (challenge: ReturnType<typeof nonceOf>, count = 1, uri = PATH) => ({
  authorization: digestAuthorization(challenge, "hik-1", PASSWORD, "POST", uri, count),
});

/** Runs `count` calls of `task`, `parallel` at a time. */
async function pool<T>(count: number, parallel: number, task: (i: number) => Promise<T>) {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const metric = (reason: string) =>
  metricValue(`http://127.0.0.1:${gateway.httpPort}`, "checkpoint_bad_requests_total", { reason });

describe("a terminal's credentials", () => {
  it("10,000 wrong passwords: 5 are checked, the rest refused unchecked, a few log lines; the terminal elsewhere is untouched", async () => {
    const answers = await pool(10_000, 20, (i) => post(GUESSER, basic(`guess-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9_995);
    expect(await metric("terminal_credentials")).toBe(5);
    expect(await metric("terminal_throttled")).toBe(9_995);
    // The right password from the guesser's address is refused unchecked as well.
    expect((await post(GUESSER, basic(PASSWORD))).status).toBe(429);
    // The terminal at its own address posts on.
    expect((await post(TERMINAL, basic(PASSWORD))).status).toBe(200);
    const lines = gateway
      .output()
      .split("\n")
      .filter((line) => line.includes("terminal hik-1: "));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(4);
  }, 120_000);

  it("a Digest answer is taken once: the same header again (another body, or another uri) is refused", async () => {
    const challenged = await post(TERMINAL, {});
    expect(challenged.status).toBe(401);
    const challenge = nonceOf(challenged.challenge);
    const first = digest(challenge, 1);
    expect((await post(TERMINAL, first)).status).toBe(200);
    const before = await metric("terminal_credentials");
    expect((await post(TERMINAL, first)).status).toBe(401);
    expect((await post(TERMINAL, digest(challenge, 2), undefined, `${PATH}?x=1`)).status).toBe(401);
    expect(await metric("terminal_credentials")).toBe(before + 2);
    // The next count with the same nonce is the terminal going on.
    expect((await post(TERMINAL, digest(challenge, 3))).status).toBe(200);
  });

  it("a flood of anonymous challenges does not stop a Digest terminal: each of its posts is taken", async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const challenge = nonceOf((await post(TERMINAL, {})).challenge);
      // Between the challenge and the terminal's answer, 1,100 anonymous ones.
      const flood = await pool(1_100, 20, () => post(GUESSER, {}));
      expect(flood.every((a) => a.status === 401)).toBe(true);
      statuses.push((await post(TERMINAL, digest(challenge))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  }, 120_000);

  it("after a restart the terminal's old nonce is stale (stale=true, not a wrong password) and it goes on with the new one", async () => {
    const challenge = nonceOf((await post(TERMINAL, {})).challenge);
    expect((await post(TERMINAL, digest(challenge, 1))).status).toBe(200);
    await stopProcess(gateway.child);
    gateway = await spawnGateway(dir, config());
    const stale = await post(TERMINAL, digest(challenge, 2));
    expect(stale.status).toBe(401);
    expect(stale.challenge).toMatch(/Digest [^,]*.*stale=true/);
    expect(await metric("terminal_credentials")).toBe(0);
    expect((await post(TERMINAL, digest(nonceOf(stale.challenge), 1))).status).toBe(200);
  });
});
