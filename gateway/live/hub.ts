import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../common/log.js";
import { tokenFromHeaders } from "../auth/credentials.js";
import { foreignOrigin } from "../auth/origin.js";
import type { DomainEvent } from "../domain/events.js";
import type { EventBus } from "../events.js";
import { ALL_EVENTS } from "../events.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Store } from "../store/store.js";
import { encodeTextFrame, socketOf } from "./frame.js";
import { guardJson, kioskJson, kioskView } from "./messages.js";
import {
  type HelloMessage,
  type KioskHelloMessage,
  LIVE_GUARD_PATH,
  LIVE_KIOSK_PATH,
} from "./protocol.js";

export interface LiveContext {
  store: Store;
  bus: EventBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  gatewayId: string;
  maxBufferedBytes: number;
  pingIntervalMs: number;
  /** Most events replayed to a guard, and to a kiosk (a public screen needs only the latest). */
  maxReplay: number;
  maxReplayKiosk: number;
  /** Kiosk connections (no login) allowed in all, and from one address. */
  maxKiosks: number;
  maxKiosksPerAddress: number;
  /** Origins besides the gateway's own whose pages may open the guard channel by cookie. */
  allowedOrigins: readonly string[];
  /** What every kiosk is told in its hello (config `kiosk`). */
  screen: HelloMessage["data"]["screen"];
}

type Channel = "kiosk" | "guard";

/** How far past the bound a client may be during a burst before it is dropped at once. */
const BURST_ALLOWANCE = 8;
/** How often clients are checked for unsent data over the bound. */
const SLOW_SWEEP_MS = 1000;
/** Events per page of a replay; one page per event-loop turn (about a third of a ms). */
const REPLAY_PAGE = 50;

interface ClientState {
  channel: Channel;
  checkpointId: string | null;
  address: string;
  alive: boolean;
  /** While a replay is sent page by page, live events wait here (so they follow it, in order). */
  held: Buffer[] | null;
}

/**
 * WebSocket live push (docs/contract.md#live-push-websocket). The only file that knows `ws`. The kiosk channel is per
 * checkpoint and masked; the guard channel needs a login and is whole. A client that does not
 * read its messages is dropped once its unsent data passes a bound, so one slow screen can
 * neither grow the gateway's memory nor hold back the others.
 */
export class LiveHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 4096,
  });
  private readonly clients = new Map<WebSocket, ClientState>();
  private readonly kioskByCheckpoint = new Map<string, Set<WebSocket>>();
  private readonly guards = new Set<WebSocket>();
  private readonly kiosksByAddress = new Map<string, number>();
  /** Clients whose replay is still being sent (their live events are held meanwhile). */
  private readonly replaying = new Set<WebSocket>();
  private kioskCount = 0;
  private readonly corked = new Set<Socket>();
  private pingTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: LiveContext) {}

  start(): void {
    this.ctx.bus.subscribe(ALL_EVENTS, "live", (event) => this.push(event));
    this.pingTimer = setInterval(() => this.pingAll(), this.ctx.pingIntervalMs);
    this.pingTimer.unref();
    this.sweepTimer = setInterval(() => this.sweepSlow(), SLOW_SWEEP_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    this.ctx.bus.removeListeners("live");
    clearInterval(this.pingTimer);
    clearInterval(this.sweepTimer);
    this.disconnectAll();
    this.wss.close();
  }

  /**
   * Says goodbye (close code 1001, "going away") to every client and cuts whoever has not
   * gone shortly after, so that stopping never waits on a client.
   */
  disconnectAll(): void {
    for (const ws of this.clients.keys()) {
      ws.close(1001, "gateway stopping");
      setTimeout(() => ws.terminate(), 200).unref();
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes an HTTP upgrade if it is for a live path; returns false to leave it to others. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://gateway");
    } catch {
      // `GET //[` and the like: a client's garbage is a 400, never a throw past this handler.
      this.ctx.metrics.badRequests.inc({ reason: "bad_upgrade_url" });
      return refuse(socket, 400, "the request URL does not parse");
    }
    let channel: Channel;
    let checkpointId: string | null = null;
    if (url.pathname === LIVE_KIOSK_PATH) {
      channel = "kiosk";
      checkpointId = url.searchParams.get("checkpoint");
      if (!checkpointId) return refuse(socket, 400, "query parameter 'checkpoint' is required");
      if (!this.ctx.devices.checkpoint(checkpointId))
        return refuse(socket, 404, `no checkpoint '${checkpointId}'`);
      // The kiosk channel needs no login: bounded per address and in all, so a script cannot
      // open thousands of them.
      const address = addressOf(request);
      if ((this.kiosksByAddress.get(address) ?? 0) >= this.ctx.maxKiosksPerAddress) {
        this.ctx.metrics.badRequests.inc({ reason: "kiosk_limit_address" });
        return refuse(socket, 429, "too many kiosk connections from this address");
      }
      if (this.kioskCount >= this.ctx.maxKiosks) {
        this.ctx.metrics.badRequests.inc({ reason: "kiosk_limit_total" });
        return refuse(socket, 503, "too many kiosk connections");
      }
    } else if (url.pathname === LIVE_GUARD_PATH) {
      channel = "guard";
      const foreign = foreignOrigin(request.headers, this.ctx.allowedOrigins);
      if (foreign !== null) {
        this.ctx.metrics.badRequests.inc({ reason: "foreign_origin" });
        return refuse(socket, 403, `pages from ${foreign} may not open the guard channel`);
      }
      const token = tokenFromHeaders(request.headers);
      if (!token || !this.ctx.store.accounts.sessionAccount(token, Date.now())) {
        return refuse(socket, 401, "login required");
      }
    } else {
      return false;
    }
    const sinceParam = url.searchParams.get("since");
    const since = sinceParam === null ? null : Number(sinceParam);
    if (since !== null && (!Number.isSafeInteger(since) || since < 0)) {
      return refuse(socket, 400, "'since' must be a whole number >= 0");
    }
    const address = addressOf(request);
    this.wss.handleUpgrade(request, socket, head, (ws) =>
      this.accept(ws, channel, checkpointId, address, since),
    );
    return true;
  }

  private accept(
    ws: WebSocket,
    channel: Channel,
    checkpointId: string | null,
    address: string,
    since: number | null,
  ): void {
    this.clients.set(ws, { channel, checkpointId, address, alive: true, held: null });
    if (channel === "guard") {
      this.guards.add(ws);
    } else if (checkpointId !== null) {
      this.kioskCount += 1;
      this.kiosksByAddress.set(address, (this.kiosksByAddress.get(address) ?? 0) + 1);
      let set = this.kioskByCheckpoint.get(checkpointId);
      if (!set) {
        set = new Set();
        this.kioskByCheckpoint.set(checkpointId, set);
      }
      set.add(ws);
    }
    this.ctx.metrics.wsClients.inc({ channel });
    ws.on("pong", () => {
      const state = this.clients.get(ws);
      if (state) state.alive = true;
    });
    ws.on("close", () => this.forget(ws));
    ws.on("error", () => this.forget(ws));
    this.greet(ws, channel, checkpointId, since);
  }

  /**
   * Greets every kiosk again (no replay), so a screen shows reloaded screening rules (its
   * "above 37.3 °C" hint) at once instead of from its next connection.
   */
  greetKiosksAgain(): void {
    for (const [checkpointId, kiosks] of this.kioskByCheckpoint)
      for (const ws of kiosks) this.greet(ws, "kiosk", checkpointId, null);
  }

  /**
   * Sends `hello`, then, for a resuming client, the events it missed, oldest first: at most the
   * channel's replay bound (the newest), a page per event-loop turn, with live events held back
   * until the replay is through so they follow it in order.
   */
  private greet(
    ws: WebSocket,
    channel: Channel,
    checkpointId: string | null,
    since: number | null,
  ): void {
    const { store } = this.ctx;
    const scope = channel === "kiosk" ? (checkpointId ?? undefined) : undefined;
    const until = store.journal.currentSeq;
    const bound = channel === "kiosk" ? this.ctx.maxReplayKiosk : this.ctx.maxReplay;
    // Each seq names one event at most, so the last `bound` seqs hold at most `bound` events.
    const from = since === null ? until : Math.max(since, until - bound);
    const replay =
      since === null
        ? null
        : {
            count: store.journal.count(from, until, scope),
            truncated: from > since && store.journal.page(since, from, 1, scope).length > 0,
          };
    const checkpoint =
      checkpointId === null ? undefined : this.ctx.devices.checkpoint(checkpointId);
    const hello: HelloMessage | KioskHelloMessage = {
      type: "hello",
      seq: store.journal.currentSeq,
      ts: new Date().toISOString(),
      checkpoint_id: checkpointId,
      data: {
        gateway_id: this.ctx.gatewayId,
        seq: store.journal.currentSeq,
        checkpoint: checkpoint
          ? {
              id: checkpoint.id,
              name: checkpoint.name,
              mode: checkpoint.mode,
              direction: checkpoint.direction,
              fever_above_c:
                checkpoint.screening?.fever_above_c ?? this.ctx.devices.siteScreening.fever_above_c,
              comparator:
                checkpoint.screening?.comparator ?? this.ctx.devices.siteScreening.comparator,
            }
          : null,
        screen: this.ctx.screen,
        open_alerts:
          channel === "kiosk"
            ? store.alerts
                .active(checkpointId ?? undefined)
                .map((alert) => kioskView("alert", alert))
            : store.alerts.active(),
        replay:
          since === null || !replay
            ? null
            : { since, count: replay.count, truncated: replay.truncated },
      },
    };
    this.send(ws, encodeTextFrame(Buffer.from(JSON.stringify(hello))));
    if (replay && replay.count > 0) {
      const state = this.clients.get(ws);
      if (state) {
        state.held ??= [];
        this.replaying.add(ws);
      }
      // Even the first page waits its turn: a hundred clients connecting at once must not
      // hold the loop for all their pages before anything else is served.
      const serialise = channel === "kiosk" ? kioskJson : guardJson;
      setImmediate(() => this.replayPage(ws, serialise, from, until, scope));
    }
  }

  private replayPage(
    ws: WebSocket,
    serialise: (event: DomainEvent) => string,
    after: number,
    until: number,
    scope: string | undefined,
  ): void {
    const state = this.clients.get(ws);
    if (!state || ws.readyState !== ws.OPEN) return;
    const events = this.ctx.store.journal.page(after, until, REPLAY_PAGE, scope);
    for (const event of events) this.send(ws, encodeTextFrame(Buffer.from(serialise(event))));
    const last = events.at(-1);
    if (events.length === REPLAY_PAGE && last) {
      setImmediate(() => this.replayPage(ws, serialise, last.seq, until, scope));
      return;
    }
    // Through: what happened meanwhile follows, in order.
    const held = state.held ?? [];
    state.held = null;
    this.replaying.delete(ws);
    for (const frame of held) this.send(ws, frame);
  }

  /** Serialises the event once per channel that has clients, and writes it to each. */
  private push(event: DomainEvent): void {
    const kiosks =
      event.checkpointId === null ? undefined : this.kioskByCheckpoint.get(event.checkpointId);
    let json: string | undefined;
    const whole = () => {
      json ??= guardJson(event);
      return json;
    };
    if (this.guards.size > 0) {
      const frame = encodeTextFrame(Buffer.from(whole()));
      for (const ws of this.guards) this.deliver(ws, frame);
    }
    if (!kiosks || kiosks.size === 0) return;
    const masked = encodeTextFrame(Buffer.from(kioskJson(event)));
    for (const ws of kiosks) this.deliver(ws, masked);
  }

  /** Sends a live event's frame, or holds it while the client's replay is still being sent. */
  private deliver(ws: WebSocket, frame: Buffer): void {
    // Most of the time nobody is being replayed: no lookup per client and event then.
    const held = this.replaying.size === 0 ? null : this.clients.get(ws)?.held;
    if (!held) {
      this.send(ws, frame);
      return;
    }
    held.push(frame);
    // A replay that cannot keep up with the live stream is a slow client like any other.
    if (held.length > this.ctx.maxReplay) this.dropSlow(ws);
  }

  /** Writes one framed message (see frame.ts) to a client, unless it is gone or too far behind. */
  private send(ws: WebSocket, frame: Buffer): void {
    const socket = socketOf(ws);
    if (ws.readyState !== ws.OPEN || !socket) return;
    // A burst (one large batch) may briefly queue more than the bound even for a client that
    // reads well; the sweep judges clients once they had time to read. Only a client far
    // past the bound is dropped at once, so a flood cannot grow memory without limit.
    if (ws.bufferedAmount > this.ctx.maxBufferedBytes * BURST_ALLOWANCE) {
      this.dropSlow(ws);
      return;
    }
    this.holdWrites(socket);
    socket.write(frame);
  }

  /**
   * Corks a client's socket until the current batch of events has been pushed, so the batch
   * leaves in one system call instead of one per message (measured: without this, socket
   * writes were 45% of the gateway's CPU at saturation).
   */
  private holdWrites(socket: Socket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) process.nextTick(this.releaseWrites);
  }

  private readonly releaseWrites = () => {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };

  /** Drops every client that still has more than the bound unsent. */
  private sweepSlow(): void {
    for (const ws of this.clients.keys()) {
      if (ws.bufferedAmount > this.ctx.maxBufferedBytes) this.dropSlow(ws);
    }
  }

  private dropSlow(ws: WebSocket): void {
    this.ctx.metrics.wsDropped.inc({ reason: "slow" });
    this.ctx.log.warn(
      { buffered: ws.bufferedAmount },
      "live client dropped: it is not reading its messages",
    );
    ws.terminate();
    this.forget(ws);
  }

  private pingAll(): void {
    for (const [ws, state] of this.clients) {
      if (!state.alive) {
        this.ctx.metrics.wsDropped.inc({ reason: "timeout" });
        ws.terminate();
        this.forget(ws);
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }

  private forget(ws: WebSocket): void {
    const state = this.clients.get(ws);
    if (!state) return;
    this.clients.delete(ws);
    this.guards.delete(ws);
    this.replaying.delete(ws);
    if (state.channel === "kiosk") {
      this.kioskCount -= 1;
      const left = (this.kiosksByAddress.get(state.address) ?? 1) - 1;
      if (left > 0) this.kiosksByAddress.set(state.address, left);
      else this.kiosksByAddress.delete(state.address);
    }
    if (state.checkpointId !== null) this.kioskByCheckpoint.get(state.checkpointId)?.delete(ws);
    this.ctx.metrics.wsClients.dec({ channel: state.channel });
  }
}

function addressOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "unknown";
}

/** Answers an upgrade with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, message: string): true {
  const reason =
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      429: "Too Many Requests",
      503: "Service Unavailable",
    }[status] ?? "Error";
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  return true;
}
