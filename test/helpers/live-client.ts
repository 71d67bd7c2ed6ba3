import WebSocket from "ws";
import { eventually } from "./gateway.js";

/** A live message as a test reads it off the wire: JSON it has not checked yet. */
export interface WireMessage {
  type: string;
  seq: number;
  ts: string;
  checkpoint_id: string | null;
  data: Record<string, unknown>;
}

/** A WebSocket client that records every live message it receives. */
export class LiveClient {
  readonly messages: WireMessage[] = [];
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

  waitFor(predicate: (m: WireMessage) => boolean, timeoutMs = 5000) {
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
