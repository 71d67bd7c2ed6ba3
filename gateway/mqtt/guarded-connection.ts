import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { type MeterVerdict, PacketMeter } from "./packet-meter.js";

export interface ConnectionLimits {
  /** Largest packet before the client has logged in (its CONNECT), bytes of remaining length. */
  beforeLoginBytes: number;
  /** Largest packet after it has (a reading is a few hundred bytes). */
  afterLoginBytes: number;
}

/**
 * A device's TCP connection as the broker sees it: every byte passes a PacketMeter first, and
 * a packet over the limit (smaller before the login) closes the connection before its body is
 * buffered. Writes go straight to the socket. Back-pressure is kept: the socket is paused while
 * the broker does not read.
 */
export class GuardedConnection extends Duplex {
  private readonly meter: PacketMeter;

  constructor(
    readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly refused: (verdict: Exclude<MeterVerdict, { ok: true }>) => void,
  ) {
    super({ allowHalfOpen: false });
    this.meter = new PacketMeter(limits.beforeLoginBytes);
    socket.on("data", (chunk: Buffer) => {
      const verdict = this.meter.feed(chunk);
      if (!verdict.ok) {
        this.refused(verdict);
        socket.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
    socket.on("error", (error) => this.destroy(error));
  }

  /** The peer's address, as a socket has it (the broker logs and throttles by it). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The client logged in: packets up to the larger limit from now on. */
  loggedIn(): void {
    this.meter.limit = this.limits.afterLoginBytes;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(
    chunk: Buffer,
    encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.socket.write(chunk, encoding, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.socket.end(done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.socket.destroy();
    done(error);
  }
}
