import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HIKVISION } from "../../gateway/devices/hikvision-isapi/constants.js";
import { hikvisionAccessEvent } from "../../gateway/devices/hikvision-isapi/encode.js";

/**
 * A terminal's ISAPI event search as an attacker (or a broken firmware) answers it
 * (docs/contract.md#network-terminals-over-http, what a terminal cannot do to the gateway):
 * - `endless`: every page is `MORE`, the same 30 fevers (serials 2-31) again and again;
 * - `huge`: one page that never ends (a JSON array padded without limit);
 * - `silent`: takes the request and never answers;
 * - `honest`: the events it was given, paged as the terminals page.
 * It does not ask for Digest: whoever holds the terminal's address need not.
 */
export type HostileMode = "endless" | "huge" | "silent" | "honest";

export class HostileIsapi {
  private server: Server | undefined;
  /** Searches it was sent. */
  searches = 0;
  /** Bytes it wrote into answers (what the gateway had to take or cut off). */
  bytesWritten = 0;
  /** Connections the gateway closed while this was still answering or holding the request. */
  closedByGateway = 0;
  /** What `honest` answers from: serial -> °C. */
  readonly events = new Map<number, number>();
  private readonly waiting = new Set<ServerResponse>();

  constructor(public mode: HostileMode) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => this.answer(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.waiting) res.destroy();
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      if (req.url !== HIKVISION.searchPath) {
        res.writeHead(404).end();
        return;
      }
      this.searches += 1;
      res.on("close", () => {
        if (!res.writableFinished) this.closedByGateway += 1;
        this.waiting.delete(res);
      });
      const cond = (JSON.parse(body) as { AcsEventCond: Record<string, unknown> }).AcsEventCond;
      if (this.mode === "silent") this.waiting.add(res);
      else if (this.mode === "huge") this.endlessPage(res);
      else this.page(res, Number(cond.searchResultPosition ?? 0));
    });
  }

  private page(res: ServerResponse, position: number): void {
    const all = [...this.events].sort(([a], [b]) => a - b);
    const list =
      this.mode === "endless"
        ? // The same fevers on every page, and always MORE: a gap wider than 30 never closes.
          Array.from({ length: HIKVISION.searchPage }, (_, i) => ({
            ...hikvisionAccessEvent({ serialNo: 2 + i, tempC: 39.5, dateTime: "" }),
            time: new Date().toISOString(),
          }))
        : all.slice(position, position + HIKVISION.searchPage).map(([serialNo, tempC]) => ({
            ...hikvisionAccessEvent({ serialNo, tempC, dateTime: "" }),
            time: new Date().toISOString(),
          }));
    const more = this.mode === "endless" || position + list.length < all.length;
    const text = JSON.stringify({
      AcsEvent: {
        searchID: "1",
        responseStatusStrg: more ? "MORE" : "OK",
        numOfMatches: list.length,
        totalMatches: more ? 999_999 : all.length,
        InfoList: list,
      },
    });
    this.bytesWritten += Buffer.byteLength(text);
    res.writeHead(200, { "content-type": "application/json" }).end(text);
  }

  /** `{"AcsEvent":{"InfoList":[` and then padding, written as fast as the gateway reads it. */
  private endlessPage(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json" });
    const pad = Buffer.from(`${JSON.stringify({ serialNo: 1, name: "x".repeat(1000) })},`);
    const write = () => {
      // 300 MB is the attack seen; the gateway must stop reading long before.
      while (!res.destroyed && this.bytesWritten < 300 * 1024 * 1024) {
        this.bytesWritten += pad.length;
        if (!res.write(pad)) {
          res.once("drain", write);
          return;
        }
      }
      if (!res.destroyed) res.end("]}}");
    };
    this.bytesWritten += 24;
    res.write('{"AcsEvent":{"InfoList":[');
    write();
  }
}
