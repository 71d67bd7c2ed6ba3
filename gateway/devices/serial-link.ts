import type { EventEmitter } from "node:events";
import { SerialPort } from "serialport";
import type { Logger } from "../../common/log.js";

/** The part of a node-serialport port the link uses; the mock port has it too. */
export interface SerialPortLike extends EventEmitter {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  write(data: Buffer): boolean;
}

export type OpenPort = (options: { path: string; baudRate: number }) => SerialPortLike;

/** Real ports through node-serialport; tests pass `SerialPortMock` instead. */
export const openSerialPort: OpenPort = ({ path, baudRate }) =>
  new SerialPort({ path, baudRate, autoOpen: false });

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };

/**
 * Exponential backoff with jitter (pure): attempt 0 waits about `initialMs`, each further
 * attempt twice as long up to `maxMs`, each delay drawn from its upper half so that many
 * devices replugged together do not retry in step.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

export interface SerialLinkContext {
  path: string;
  baudRate: number;
  openPort: OpenPort;
  log: Logger;
  backoff?: Backoff;
  random?: () => number;
  onOpen(): void;
  onData(chunk: Buffer): void;
  /** The port could not be opened or went away; the link retries by itself. */
  onLost(reason: string): void;
}

/**
 * Owns one serial port for its whole life (as zigbee-herdsman's `serialPort.ts`): opens it with a callback turned into
 * state, attaches close and error only once open, and turns a failed open or a lost port
 * (unplugged) into `onLost` and a reopen with backoff. Never throws into its caller.
 */
export class SerialLink {
  private port: SerialPortLike | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastFailure = "";

  constructor(private readonly ctx: SerialLinkContext) {}

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  write(bytes: Buffer): void {
    if (this.port?.isOpen) this.port.write(bytes);
  }

  private open(): void {
    if (this.stopped) return;
    const port = this.ctx.openPort({ path: this.ctx.path, baudRate: this.ctx.baudRate });
    this.port = port;
    port.open((error) => {
      if (this.stopped) {
        if (!error) port.close();
        return;
      }
      if (error) {
        this.lost(`cannot open ${this.ctx.path}: ${error.message}`);
        return;
      }
      this.attempt = 0;
      this.lastFailure = "";
      port.on("data", (chunk: Buffer) => this.ctx.onData(chunk));
      port.on("error", (portError: Error) =>
        this.ctx.log.warn({ path: this.ctx.path }, `serial port error: ${portError.message}`),
      );
      port.once("close", (closeError: Error | null) => {
        if (this.stopped || this.port !== port) return;
        this.lost(`${this.ctx.path} closed${closeError ? `: ${closeError.message}` : ""}`);
      });
      this.ctx.log.info({ path: this.ctx.path }, `serial port ${this.ctx.path} open`);
      this.ctx.onOpen();
    });
  }

  private lost(reason: string): void {
    this.port?.removeAllListeners("data");
    this.port = undefined;
    const delay = backoffDelay(
      this.attempt,
      this.ctx.backoff ?? DEFAULT_BACKOFF,
      (this.ctx.random ?? Math.random)(),
    );
    this.attempt += 1;
    // The first failure of a kind is worth a warning; the same one again every few seconds is not.
    if (reason !== this.lastFailure)
      this.ctx.log.warn({ path: this.ctx.path, retry_ms: delay }, `${reason}; retrying`);
    else this.ctx.log.debug({ path: this.ctx.path, retry_ms: delay }, `${reason}; retrying`);
    this.lastFailure = reason;
    this.ctx.onLost(reason);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
