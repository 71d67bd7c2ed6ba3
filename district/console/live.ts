import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type pg from "pg";
import { WebSocket, WebSocketServer } from "ws";
import { type Logger, messageOf } from "../../common/log.js";
import type { DistrictAccounts } from "../store/accounts.js";
import { alertById, gatewayById } from "../store/reports.js";
import { sameOrigin, sessionToken } from "./session.js";

/**
 * The live channel's paths (the contract's and the console's own): open fevers and gateways as
 * the workers commit them.
 */
export const DISTRICT_LIVE_PATHS = ["/live/district", "/district/live"];

/**
 * The consoles' live feed: one connection LISTENs for the workers' commits (PostgreSQL NOTIFY
 * on district_alert and district_gateway) and each change goes to every console over
 * WebSocket. When that connection is lost (PostgreSQL restarted) it is made again, and the
 * consoles are told to look afresh, for what they may have missed.
 */
export class DistrictLive {
  private readonly wss = new WebSocketServer({ noServer: true });
  private listener: pg.PoolClient | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly accounts: DistrictAccounts,
    private readonly log: Logger,
    private readonly trustProxy = false,
  ) {}

  /** Takes an upgrade on the live path from a logged-in console; refuses any other. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = req.url?.split("?")[0];
    if (!DISTRICT_LIVE_PATHS.includes(path ?? "")) {
      socket.destroy();
      return;
    }
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (!sameOrigin(req, this.trustProxy)) {
      refuse("403 Forbidden");
      return;
    }
    // The socket may fail before the session is looked up; nothing of it must reach the process.
    socket.on("error", () => socket.destroy());
    const token = sessionToken(req);
    (token ? this.accounts.bySession(token) : Promise.resolve(null)).then(
      (who) => {
        if (!who) refuse("401 Unauthorized");
        else this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws));
      },
      (error: unknown) => {
        // PostgreSQL down: the session cannot be checked now; the page tries again by itself.
        this.log.warn(
          { err: messageOf(error) },
          "district console: a live login could not be checked",
        );
        refuse("503 Service Unavailable");
      },
    );
  }

  async start(): Promise<void> {
    await this.listen();
  }

  close(): void {
    this.closed = true;
    for (const client of this.wss.clients) client.terminate();
    this.listener?.release();
  }

  private relay(note: { channel: string; payload?: string | undefined }): void {
    void (async () => {
      const message =
        note.channel === "district_alert"
          ? { type: "fever", alert: await alertById(this.pool, note.payload ?? "") }
          : { type: "gateway", gateway: await gatewayById(this.pool, note.payload ?? "") };
      const text = JSON.stringify(message);
      for (const client of this.wss.clients)
        if (client.readyState === WebSocket.OPEN) client.send(text);
    })().catch((error: unknown) =>
      this.log.warn({ err: messageOf(error) }, "district console: a live update failed"),
    );
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.pool.connect();
      client.on("notification", (note) => this.relay(note));
      let lost = false;
      // `on`, not `once`: a dead connection may report more than one error.
      client.on("error", (error) => {
        if (lost) return;
        lost = true;
        if (this.listener === client) this.listener = undefined;
        client.release(error);
        this.log.warn(
          { err: error.message },
          "district console: lost the live feed; listening again",
        );
        setTimeout(() => void this.listen(), 1000);
      });
      await client.query("LISTEN district_alert");
      await client.query("LISTEN district_gateway");
      this.listener = client;
      this.relay({ channel: "district_gateway", payload: "" });
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, "district console: cannot listen yet; retrying");
      setTimeout(() => void this.listen(), 1000);
    }
  }
}
