import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dahuaUpload } from "../../gateway/devices/dahua-http/encode.js";
import { HIKVISION } from "../../gateway/devices/hikvision-isapi/constants.js";
import {
  hikvisionAccessEvent,
  hikvisionHeartbeat,
  hikvisionMultipart,
  hikvisionNotification,
} from "../../gateway/devices/hikvision-isapi/encode.js";
import { digestValid } from "../../gateway/terminals/digest.js";

/**
 * Virtual network terminals (docs/contract.md#network-terminals-over-http, docs/contract.md#the-simulator): they post to the gateway exactly what a
 * Hikvision or Dahua terminal posts, built with the gateway's own encoders. A Hikvision terminal
 * keeps its event log and answers `AcsEvent` searches from it (Digest, as the real ones); while
 * "offline" it does not post (the gateway must fetch what it missed); it can reboot. A Dahua
 * terminal stores what it could not deliver and uploads it later marked `Offline`.
 */
export interface Person {
  tempC?: number;
  cardNo?: string;
  /** A face match: the person's id on the terminal. */
  personId?: string;
  /** Pictures posted with the event (Hikvision: multipart parts). */
  pictures?: Buffer[];
}

export interface TerminalOptions {
  id: string;
  password: string;
  /** The gateway, e.g. http://127.0.0.1:8080 */
  gatewayUrl: string;
  fahrenheit?: boolean;
}

/** A terminal's POST to the gateway: its HTTP status, or null when the gateway did not answer. */
async function postToGateway(
  options: TerminalOptions,
  vendor: "hikvision" | "dahua",
  body: string | Buffer,
  contentType: string,
): Promise<number | null> {
  try {
    const response = await fetch(`${options.gatewayUrl}/ingest/${vendor}/${options.id}`, {
      method: "POST",
      headers: {
        "content-type": contentType,
        authorization: `Basic ${Buffer.from(`${options.id}:${options.password}`).toString("base64")}`,
      },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

export class VirtualHikvisionTerminal {
  /** Every event the terminal recorded, by serial number (what its searches answer from). */
  readonly log = new Map<number, Record<string, unknown> & { time: string }>();
  private serial = 0;
  private server: Server | undefined;
  private readonly nonces = new Set<string>();
  online = true;
  /** Searches it answered (the gateway's gap fills), for tests and the simulator's output. */
  searches = 0;
  readonly realm = "IP Camera(checkpoint-sim)";

  constructor(
    readonly options: TerminalOptions & { isapiUsername?: string; isapiPassword?: string },
  ) {}

  /** Its own web server: the ISAPI event search. Resolves with its address. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () =>
        this.answer(
          req.method ?? "",
          req.url ?? "",
          req.headers.authorization,
          Buffer.concat(chunks).toString(),
          res,
        ),
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Off and on again: its web server goes away and comes back on the same port. */
  async reboot(): Promise<void> {
    const port = (this.server?.address() as AddressInfo | undefined)?.port ?? 0;
    await this.stop();
    await this.start(port);
  }

  /** A person at the terminal: recorded, and posted unless the terminal is offline. */
  async person(person: Person): Promise<{ serialNo: number; status: number | null }> {
    this.serial += 1;
    const time = new Date().toISOString();
    const input = {
      serialNo: this.serial,
      dateTime: time,
      ...(person.tempC !== undefined ? { tempC: person.tempC } : {}),
      ...(this.options.fahrenheit ? { fahrenheit: true } : {}),
      ...(person.cardNo !== undefined ? { cardNo: person.cardNo } : {}),
      ...(person.personId !== undefined ? { employeeNoString: person.personId } : {}),
      mask: "yes" as const,
    };
    this.log.set(this.serial, { ...hikvisionAccessEvent(input), time });
    if (!this.online) return { serialNo: this.serial, status: null };
    const json = hikvisionNotification(input);
    const { body, contentType } = person.pictures?.length
      ? hikvisionMultipart(json, person.pictures)
      : { body: json, contentType: "application/json" };
    return { serialNo: this.serial, status: await this.post(body, contentType) };
  }

  heartbeat(): Promise<number | null> {
    return this.post(hikvisionHeartbeat(new Date().toISOString()), "application/json");
  }

  private post(body: string | Buffer, contentType: string): Promise<number | null> {
    return postToGateway(this.options, "hikvision", body, contentType);
  }

  /** `POST /ISAPI/AccessControl/AcsEvent?format=json` with Digest, paged as the terminals page. */
  private answer(
    method: string,
    url: string,
    authorization: string | undefined,
    body: string,
    res: import("node:http").ServerResponse,
  ): void {
    const { isapiUsername, isapiPassword } = this.options;
    if (method !== "POST" || url !== HIKVISION.searchPath) {
      res.writeHead(404).end();
      return;
    }
    if (
      !authorization ||
      !digestValid(
        authorization,
        this.realm,
        this.nonces,
        isapiUsername ?? "admin",
        isapiPassword ?? "",
        method,
      )
    ) {
      const nonce = randomBytes(12).toString("hex");
      this.nonces.add(nonce);
      res
        .writeHead(401, {
          "WWW-Authenticate": `Digest qop="auth", realm="${this.realm}", nonce="${nonce}", stale="FALSE"`,
        })
        .end();
      return;
    }
    this.searches += 1;
    const cond = (JSON.parse(body) as { AcsEventCond: Record<string, unknown> }).AcsEventCond;
    const position = Number(cond.searchResultPosition ?? 0);
    const max = Math.min(Number(cond.maxResults ?? 30), HIKVISION.searchPage);
    const from = Date.parse(String(cond.startTime));
    const to = Date.parse(String(cond.endTime));
    const matches = [...this.log.values()].filter((e) => {
      const t = Date.parse(e.time);
      return (!Number.isFinite(from) || t >= from) && (!Number.isFinite(to) || t <= to);
    });
    const page = matches.slice(position, position + max);
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        AcsEvent: {
          searchID: cond.searchID,
          responseStatusStrg:
            position + page.length < matches.length
              ? "MORE"
              : matches.length === 0
                ? "NO MATCH"
                : "OK",
          numOfMatches: page.length,
          totalMatches: matches.length,
          InfoList: page,
        },
      }),
    );
  }
}

export class VirtualDahuaTerminal {
  private sn = 0;
  /** What it could not deliver, uploaded again (marked Offline) at its next chance. */
  private readonly stored: Parameters<typeof dahuaUpload>[0][number][] = [];
  online = true;

  constructor(readonly options: TerminalOptions) {}

  async person(person: Person): Promise<{ sn: number; status: number | null }> {
    this.sn += 1;
    const event = {
      sn: this.sn,
      utcSeconds: Math.floor(Date.now() / 1000),
      ...(person.tempC !== undefined ? { tempC: person.tempC } : {}),
      ...(this.options.fahrenheit ? { fahrenheit: true } : {}),
      ...(person.cardNo !== undefined ? { cardNo: person.cardNo } : {}),
      ...(person.personId !== undefined ? { userId: person.personId } : {}),
    };
    if (!this.online) {
      this.stored.push({ ...event, offline: true });
      return { sn: this.sn, status: null };
    }
    const backlog = this.stored.splice(0);
    const status = await this.post(dahuaUpload([...backlog, event]));
    if (status !== 200) this.stored.unshift(...backlog, { ...event, offline: true });
    return { sn: this.sn, status };
  }

  private post(body: string): Promise<number | null> {
    return postToGateway(this.options, "dahua", body, "application/json");
  }
}
