import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/gateway.js";
import { PROJECT_ROOT } from "../helpers/process.js";

let demo: ChildProcess | undefined;
afterAll(() => {
  if (demo?.exitCode === null) demo.kill("SIGKILL");
});

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("npm run demo -- --district", () => {
  it("runs PostgreSQL, Mosquitto, three gateways and the console, and stops them all on Ctrl-C", async () => {
    demo = spawn(
      process.execPath,
      [join(PROJECT_ROOT, "dist/firmware-sim/demo.js"), "--district"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const child = demo;
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    const printed = await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`the demo exited: ${text}`);
      const consoleUrl = /district console:\s+(http:\/\/\S+)\/district/.exec(text)?.[1];
      const password = /log in as:\s+admin \/ (\S+)/.exec(text)?.[1];
      const pgPort = /PostgreSQL:\s+postgres:\/\/\S+:(\d+)\//.exec(text)?.[1];
      const brokerPort = /district broker:\s+mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      return consoleUrl && password && pgPort && brokerPort
        ? { consoleUrl, password, pgPort: Number(pgPort), brokerPort: Number(brokerPort) }
        : undefined;
    }, 60_000);
    const login = await fetch(`${printed.consoleUrl}/district/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: printed.password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    // Every site's gateway online, and every site's crowd counted in today's figures.
    const overview = await eventually(async () => {
      const body = (await (
        await fetch(`${printed.consoleUrl}/district/api/overview`, { headers: { cookie } })
      ).json()) as {
        gateways: { gateway_id: string; online: boolean }[];
        today: { site_id: string; passages: number }[];
      };
      return body.gateways.filter((g) => g.online).length === 3 &&
        body.today.filter((s) => s.passages > 0).length === 3
        ? body
        : undefined;
    }, 90_000);
    expect(overview.gateways.map((g) => g.gateway_id).sort()).toEqual([
      "gw-east",
      "gw-north",
      "gw-south",
    ]);
    expect(await listening(printed.pgPort)).toBe(true);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(await listening(printed.pgPort)).toBe(false);
    expect(await listening(printed.brokerPort)).toBe(false);
  }, 180_000);
});
