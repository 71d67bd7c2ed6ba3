import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { OutboxRow } from "../store/outbox.js";
import type { LinkEvents, UpstreamLink } from "./link.js";

export interface WebhookLinkConfig {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  ca_file?: string | undefined;
  max_in_flight: number;
}

/** How long one POST may take before it counts as failed (and the row is sent again later). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The district's HTTPS endpoint (docs/contract.md#upstream-the-district's webhook, with the same semantics as MQTT): each row is
 * POSTed as JSON to `<url>/<site_id>/<gateway_id>/<kind>`, the path the MQTT topic would be,
 * with HTTP Basic credentials if configured; a 2xx answer is the acknowledgement. Anything else
 * (an error status, a refused connection, a timeout) leaves the row in the outbox and takes
 * the link down, so the forwarder backs off and tries again: nothing is dropped.
 */
export class WebhookLink implements UpstreamLink {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private events: LinkEvents | undefined;
  private isOpen = false;

  constructor(
    private readonly config: WebhookLinkConfig,
    private readonly gatewayId: string,
    private readonly siteId: string,
  ) {
    this.base = new URL(config.url);
    const options = { keepAlive: true, maxSockets: config.max_in_flight };
    this.agent =
      this.base.protocol === "https:"
        ? new HttpsAgent({
            ...options,
            ca: config.ca_file ? readFileSync(config.ca_file) : undefined,
          })
        : new HttpAgent(options);
  }

  get target(): string {
    return this.base.origin + this.base.pathname;
  }

  open(events: LinkEvents): void {
    this.events = events;
    this.isOpen = true;
    // Nothing to connect: the next POST says whether the far end is there.
    setImmediate(() => {
      if (this.isOpen) events.up();
    });
  }

  send(row: OutboxRow, done: (error: Error | null) => void): void {
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${encodeURIComponent(this.siteId)}/${encodeURIComponent(this.gatewayId)}/${row.kind}`;
    const body = Buffer.from(row.payload);
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": body.length,
    };
    if (this.config.username !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${this.config.username}:${this.config.password ?? ""}`).toString("base64")}`;
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "POST",
      headers,
      agent: this.agent,
      timeout: REQUEST_TIMEOUT_MS,
    });
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      done(new Error(reason));
      if (this.isOpen) {
        this.isOpen = false;
        this.events?.down(reason);
      }
    };
    request.on("response", (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        if (!settled) {
          settled = true;
          done(null);
        }
      } else fail(`${this.target} answered HTTP ${status}`);
    });
    request.on("timeout", () =>
      request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    request.on("error", (error) => fail(error.message));
    request.end(body);
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.agent.destroy();
  }
}
