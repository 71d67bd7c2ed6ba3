import type { TerminalConfig } from "../config/schema.js";

export interface TerminalPresenceContext {
  terminals: readonly TerminalConfig[];
  /** Records an online/offline change (a device status event, as for every device). */
  setOnline: (deviceId: string, online: boolean, reason: string) => void;
  now?: () => number;
  sweepEveryMs?: number;
}

/**
 * Whether each network terminal is there (docs/contract.md#network-terminals-over-http): online from its first event or heartbeat,
 * offline after `offline_after_s` of silence, online again at the next one (a rebooted terminal
 * just posts again; nothing has to be restarted).
 */
export class TerminalPresence {
  private readonly lastSeen = new Map<string, number>();
  private readonly online = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly ctx: TerminalPresenceContext) {
    this.now = ctx.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.ctx.sweepEveryMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The terminal posted something: it is there. Returns whether it had been offline. */
  seen(deviceId: string, reason: string): boolean {
    this.lastSeen.set(deviceId, this.now());
    if (this.online.has(deviceId)) return false;
    this.online.add(deviceId);
    this.ctx.setOnline(deviceId, true, reason);
    return true;
  }

  sweep(): void {
    const now = this.now();
    for (const terminal of this.ctx.terminals) {
      const seen = this.lastSeen.get(terminal.id);
      if (!this.online.has(terminal.id) || seen === undefined) continue;
      if (now - seen < terminal.offline_after_s * 1000) continue;
      this.online.delete(terminal.id);
      this.ctx.setOnline(terminal.id, false, `silent for ${terminal.offline_after_s} s`);
    }
  }
}
