import { randomUUID } from "node:crypto";
import { type Logger, messageOf } from "../../common/log.js";
import type { TerminalConfig } from "../config/schema.js";
import { HIKVISION } from "../devices/hikvision-isapi/constants.js";
import { hikvisionEvent } from "../devices/hikvision-isapi/event.js";
import type { TerminalEvent } from "../devices/terminal-event.js";
import { digestPostJson } from "./digest.js";

export interface GapFillContext {
  /** The Hikvision terminals with `isapi_url` (the others cannot be asked). */
  terminals: readonly TerminalConfig[];
  /** Takes one fetched event in as if the terminal had posted it; resolves once committed. */
  submit: (deviceId: string, event: TerminalEvent) => Promise<Error | null>;
  log: Logger;
}

interface Seen {
  serial: number;
  atMs: number;
}

/** How far before the last event seen the search starts (terminal and gateway clocks differ). */
const SEARCH_MARGIN_MS = 10 * 60_000;

/**
 * The Hikvision gap fill (docs/contract.md#network-terminals-over-http): a terminal that could not reach the gateway (offline, the
 * listener lost after a reboot) does not post those events again, but keeps them. When its
 * `serialNo` jumps, the gateway asks its `AcsEvent` search (Digest, as ISAPI requires) for the
 * events after the last one it has, pages through the answer and takes in the missing ones,
 * once each (a repeated serial is stored once anyway). A search that fails is said in one line
 * and tried again at the next jump.
 */
export class HikvisionGapFill {
  private readonly last = new Map<string, Seen>();
  private readonly pending = new Map<string, { from: Seen; below: number }>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly ctx: GapFillContext) {}

  /** The terminal posted these: note the serials, fetch what was skipped. */
  delivered(deviceId: string, events: readonly TerminalEvent[]): void {
    const terminal = this.ctx.terminals.find((t) => t.id === deviceId);
    if (!terminal) return;
    for (const event of events) {
      const serial = event.serial === null ? Number.NaN : Number(event.serial);
      if (!Number.isInteger(serial)) continue;
      const before = this.last.get(deviceId);
      if (before && serial > before.serial + 1) {
        const gap = this.pending.get(deviceId);
        this.pending.set(deviceId, {
          from: gap && gap.from.serial < before.serial ? gap.from : before,
          below: Math.max(gap?.below ?? 0, serial),
        });
      }
      if (!before || serial > before.serial)
        this.last.set(deviceId, { serial, atMs: event.tsMs ?? Date.now() });
    }
    if (this.pending.has(deviceId) && !this.running.has(deviceId)) {
      const run = this.fill(terminal).finally(() => this.running.delete(deviceId));
      this.running.set(deviceId, run);
    }
  }

  /** Resolves when no fill is running (tests, a clean stop). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async fill(terminal: TerminalConfig): Promise<void> {
    if (terminal.protocol !== "hikvision-isapi" || !terminal.isapi_url) return;
    const gap = this.pending.get(terminal.id);
    if (!gap) return;
    this.pending.delete(terminal.id);
    const wanted = (serial: number) => serial > gap.from.serial && serial < gap.below;
    let taken = 0;
    try {
      const searchID = randomUUID();
      for (let position = 0; ; ) {
        const page = await this.search(terminal, searchID, position, gap.from.atMs);
        for (const item of page.items) {
          const serial = Number(item[HIKVISION.fields.serial]);
          if (!wanted(serial)) continue;
          const event = hikvisionEvent(item, typeof item.time === "string" ? item.time : null);
          if (event.kind !== "event") continue;
          const error = await this.ctx.submit(terminal.id, event);
          if (error) throw error;
          taken += 1;
        }
        position += page.items.length;
        if (!page.more || page.items.length === 0) break;
      }
      this.ctx.log.info(
        { device: terminal.id, from: gap.from.serial + 1, to: gap.below - 1, taken },
        `terminal ${terminal.id}: fetched ${taken} missed event(s) (serial ${gap.from.serial + 1}-${gap.below - 1}) from its event search`,
      );
    } catch (error) {
      // Tried again at the next jump: keep what is still missing.
      this.pending.set(terminal.id, gap);
      this.ctx.log.warn(
        { device: terminal.id, err: messageOf(error) },
        `terminal ${terminal.id}: its event search failed (${messageOf(error)}); the gap is fetched at its next jump`,
      );
    }
  }

  private async search(
    terminal: Extract<TerminalConfig, { protocol: "hikvision-isapi" }>,
    searchID: string,
    position: number,
    sinceMs: number,
  ): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
    const url = new URL(HIKVISION.searchPath, terminal.isapi_url).toString();
    const response = await digestPostJson(
      url,
      {
        AcsEventCond: {
          searchID,
          searchResultPosition: position,
          maxResults: HIKVISION.searchPage,
          major: HIKVISION.searchMajor,
          minor: HIKVISION.searchMinor,
          startTime: new Date(sinceMs - SEARCH_MARGIN_MS).toISOString(),
          endTime: new Date(Date.now() + SEARCH_MARGIN_MS).toISOString(),
        },
      },
      terminal.isapi_username ?? "admin",
      terminal.isapi_password ?? "",
    );
    if (!response.ok) throw new Error(`the terminal answered HTTP ${response.status}`);
    const body = (await response.json()) as {
      AcsEvent?: { responseStatusStrg?: string; InfoList?: Record<string, unknown>[] };
    };
    return {
      items: body.AcsEvent?.InfoList ?? [],
      more: body.AcsEvent?.responseStatusStrg === "MORE",
    };
  }
}
