import { createServer, type Server } from "node:http";
import type { Express } from "express";
import { type Logger, messageOf } from "../../common/log.js";
import type { UpgradeHandler } from "../core.js";

/** The HTTP server: the express app for requests, the upgrade hook (the live hub) for WebSocket. */
export class HttpServer {
  private server: Server | undefined;

  constructor(
    private readonly app: Express,
    private readonly upgrades: UpgradeHandler | undefined,
    private readonly host: string,
    private readonly requestedPort: number,
    private readonly log: Logger,
  ) {}

  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  async start(): Promise<void> {
    const server = createServer(this.app);
    server.on("upgrade", (request, socket, head) => {
      // Nothing a client sends may throw past its handler: the broker and every kiosk share
      // this process (a throw here would end them all).
      try {
        if (!this.upgrades?.handleUpgrade(request, socket, head)) socket.destroy();
      } catch (error) {
        this.log.warn({ err: messageOf(error) }, "upgrade refused: the handler failed");
        socket.destroy();
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.requestedPort, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.log.info(
      `HTTP on ${this.host}:${this.port}: kiosk at /kiosk?checkpoint=<id>, guard console at /guard, admin pages at /admin, API at /api`,
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      // Upgraded (WebSocket) connections are not HTTP connections any more: the hub ends them.
      this.upgrades?.disconnectAll();
    });
  }
}
