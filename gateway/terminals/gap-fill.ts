import { randomUUID } from "node:crypto";
import { type Logger, messageOf } from "../../common/log.js";
import type { TerminalConfig } from "../config/schema.js";
import { HIKVISION } from "../devices/hikvision-isapi/constants.js";
import { hikvisionEvent } from "../devices/hikvision-isapi/event.js";
import type { TerminalEvent } from "../devices/terminal-event.js";
import { boundedText } from "./bounded-response.js";
import { withDeadline } from "./deadline.js";
import { digestPostJson } from "./digest.js";
import type { Submitted } from "./submit.js";

type SearchableTerminal = Extract<TerminalConfig, { protocol: "hikvision-isapi" }>;

export interface GapFillContext {
  /** The Hikvision terminals with `isapi_url` (the others cannot be asked). */
  terminals: readonly SearchableTerminal[];
  /** Takes one fetched event in as if the terminal had posted it; resolves once committed. */
  submit: (deviceId: string, event: TerminalEvent) => Promise<Submitted>;
  /** A gap the gateway does not fill (too large, or a search that does not end): the guard's. */
  raiseGap: (terminal: SearchableTerminal) => void;
  log: Logger;
}

/**
 * What one terminal's answers may cost the gateway, whatever it (or whoever holds its address)
 * sends. A page of 30 events is about 20 kB (the DS-K1T342MWX capture: ~600 bytes an event).
 */
export const GAP_FILL_LIMITS = {
  pageBytes: 1024 * 1024,
  /** Each search request, its answer included. */
  requestMs: 10_000,
};

interface Seen {
  serial: number;
  atMs: number;
}

interface Gap {
  from: Seen;
  /** The first serial after the gap (the one that showed it). */
  below: number;
}

/** How far before the last event seen the search starts (terminal and gateway clocks differ). */
const SEARCH_MARGIN_MS = 10 * 60_000;

/** Why a fill ended without taking everything it wanted. */
class GapNotFilled extends Error {}

/**
 * The Hikvision gap fill (docs/contract.md#network-terminals-over-http): a terminal that could
 * not reach the gateway (offline, the listener lost after a reboot) does not post those events
 * again, but keeps them. When its `serialNo` jumps, the gateway asks its `AcsEvent` search
 * (Digest, as ISAPI requires) for the events after the last one it has, pages through the answer
 * and takes in the missing ones, once each. Bounded, because the terminal decides what it
 * answers: a jump over `gap_fill_max_events` is not searched, a search reads at most twice the
 * pages such a gap needs, each page at most GAP_FILL_LIMITS.pageBytes within requestMs; a gap not
 * filled is one `terminal_gap` alert. A search that fails is said in one line and tried again at
 * the next jump; `stop` cancels every search at once.
 */
export class HikvisionGapFill {
  private readonly last = new Map<string, Seen>();
  private readonly pending = new Map<string, Gap>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly ctx: GapFillContext) {}

  /** The terminal posted these: note the serials, fetch what was skipped. */
  delivered(deviceId: string, events: readonly TerminalEvent[]): void {
    const terminal = this.ctx.terminals.find((t) => t.id === deviceId);
    if (!terminal || this.stopping.signal.aborted) return;
    for (const event of events) {
      const serial = event.serial === null ? Number.NaN : Number(event.serial);
      if (!Number.isSafeInteger(serial)) continue;
      this.note(terminal, serial, event.tsMs ?? Date.now());
    }
    if (this.pending.has(deviceId) && !this.running.has(deviceId)) {
      const run = this.fill(terminal).finally(() => this.running.delete(deviceId));
      this.running.set(deviceId, run);
    }
  }

  private note(terminal: SearchableTerminal, serial: number, atMs: number): void {
    const before = this.last.get(terminal.id);
    const max = terminal.gap_fill_max_events;
    if (before && serial - before.serial - 1 > max) {
      // Not searched: a jump this large is a terminal reset to another counter, or a hostile one.
      this.unfilled(terminal, { from: before, below: serial }, `more than ${max} events`);
      this.pending.delete(terminal.id);
    } else if (before && serial > before.serial + 1) {
      const gap = this.pending.get(terminal.id);
      this.pending.set(terminal.id, {
        from: gap && gap.from.serial < before.serial ? gap.from : before,
        below: Math.max(gap?.below ?? 0, serial),
      });
    }
    // A serial far below the last is a counter that started again (a reset, a replacement).
    if (!before || serial > before.serial || before.serial - serial > max)
      this.last.set(terminal.id, { serial, atMs });
  }

  /** Resolves when no fill is running (tests, a clean stop). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Cancels every search in flight and waits for the fills to end. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("the gateway is stopping"));
    await this.settled();
  }

  private unfilled(terminal: SearchableTerminal, gap: Gap, why: string): void {
    const range = `serial ${gap.from.serial + 1}-${gap.below - 1}`;
    this.ctx.log.warn(
      { device: terminal.id, from: gap.from.serial + 1, to: gap.below - 1 },
      `terminal ${terminal.id}: events missing (${range}) not fetched: ${why}; a terminal_gap alert is raised`,
    );
    this.ctx.raiseGap(terminal);
  }

  private async fill(terminal: SearchableTerminal): Promise<void> {
    const gap = this.pending.get(terminal.id);
    if (!gap) return;
    this.pending.delete(terminal.id);
    const wanted = gap.below - gap.from.serial - 1;
    const isWanted = (serial: number) => serial > gap.from.serial && serial < gap.below;
    // The search is by time: what it answers includes events after the gap, up to now.
    const maxPages = 2 * Math.ceil(terminal.gap_fill_max_events / HIKVISION.searchPage);
    const taken = new Set<number>();
    try {
      const searchID = randomUUID();
      let pages = 0;
      for (let position = 0; taken.size < wanted; ) {
        if (pages === maxPages) throw new GapNotFilled(`its search did not end in ${pages} pages`);
        pages += 1;
        const page = await this.search(terminal, searchID, position, gap.from.atMs);
        for (const item of page.items) {
          const serial = Number(item[HIKVISION.fields.serial]);
          if (!isWanted(serial) || taken.has(serial)) continue;
          const event = hikvisionEvent(item, typeof item.time === "string" ? item.time : null);
          if (event.kind !== "event") continue;
          const { error } = await this.ctx.submit(terminal.id, event);
          if (error) throw error;
          taken.add(serial);
        }
        position += page.items.length;
        if (!page.more || page.items.length === 0) break;
      }
      this.ctx.log.info(
        { device: terminal.id, from: gap.from.serial + 1, to: gap.below - 1, taken: taken.size },
        `terminal ${terminal.id}: fetched ${taken.size} missed event(s) (serial ${gap.from.serial + 1}-${gap.below - 1}) from its event search`,
      );
    } catch (error) {
      if (error instanceof GapNotFilled) {
        this.unfilled(terminal, gap, `${messageOf(error)} (${taken.size} of ${wanted} taken)`);
        return;
      }
      if (this.stopping.signal.aborted) {
        this.ctx.log.info(
          { device: terminal.id },
          `terminal ${terminal.id}: its event search cancelled (${messageOf(error)})`,
        );
        return;
      }
      // Tried again at the next jump: keep what is still missing.
      this.pending.set(terminal.id, gap);
      this.ctx.log.warn(
        { device: terminal.id, err: messageOf(error) },
        `terminal ${terminal.id}: its event search failed (${messageOf(error)}); the gap is fetched at its next jump`,
      );
    }
  }

  private async search(
    terminal: SearchableTerminal,
    searchID: string,
    position: number,
    sinceMs: number,
  ): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
    const url = new URL(HIKVISION.searchPath, terminal.isapi_url).toString();
    const cond = {
      AcsEventCond: {
        searchID,
        searchResultPosition: position,
        maxResults: HIKVISION.searchPage,
        major: HIKVISION.searchMajor,
        minor: HIKVISION.searchMinor,
        startTime: new Date(sinceMs - SEARCH_MARGIN_MS).toISOString(),
        endTime: new Date(Date.now() + SEARCH_MARGIN_MS).toISOString(),
      },
    };
    const text = await withDeadline(
      this.stopping.signal,
      GAP_FILL_LIMITS.requestMs,
      async (signal) => {
        const response = await digestPostJson(
          url,
          cond,
          terminal.isapi_username ?? "admin",
          terminal.isapi_password ?? "",
          signal,
        );
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`the terminal answered HTTP ${response.status}`);
        }
        return boundedText(response, GAP_FILL_LIMITS.pageBytes);
      },
    );
    const body = JSON.parse(text) as {
      AcsEvent?: { responseStatusStrg?: unknown; InfoList?: unknown };
    };
    const list = body?.AcsEvent?.InfoList;
    return {
      items: Array.isArray(list)
        ? list.filter(
            (item): item is Record<string, unknown> => typeof item === "object" && item !== null,
          )
        : [],
      more: body?.AcsEvent?.responseStatusStrg === "MORE",
    };
  }
}
