import WebSocket from "ws";
import type { LiveMessage } from "../../gateway/live/protocol.js";
import { eventually } from "./gateway.js";

/** A WebSocket client that records every live message it receives. */
export class LiveClient {
  readonly messages: LiveMessage<Record<string, unknown>>[] = [];
  readonly ws: WebSocket;
  closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => this.messages.push(JSON.parse(String(data))));
    ws.on("close", () => {
      this.closed = true;
    });
  }

  static connect(
    url: string,
    headers: Record<string, string> = {},
    localAddress?: string,
  ): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, localAddress });
      const client = new LiveClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  ofType(type: string) {
    return this.messages.filter((m) => m.type === type);
  }

  waitFor(predicate: (m: LiveMessage<Record<string, unknown>>) => boolean, timeoutMs = 5000) {
    return eventually(() => this.messages.find(predicate), timeoutMs);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
