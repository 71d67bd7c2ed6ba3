import { join } from "node:path";
import { Random } from "../firmware-sim/random.js";
import { PtyPair } from "../firmware-sim/serial/pty.js";
import { VirtualSerialDevice } from "../firmware-sim/serial/virtual-devices.js";
import type { SerialSent } from "./checker.js";

/**
 * The soak's serial gate: a text-line thermometer and an RDM6300 card reader on socat
 * pseudo-terminals, as a site wires them over USB-serial adapters. The cable can be pulled and
 * plugged back in (socat stopped and started again at the same paths). Serial has no
 * acknowledgement, so what the checker holds it to is what the devices put on the wire.
 */
export const SERIAL_GATE = "gate-serial";
export const SERIAL_THERMOMETER = "thermo-serial";
export const SERIAL_READER = "reader-serial";

export class SerialGate {
  readonly sent: SerialSent[] = [];
  private readonly thermoPair: PtyPair;
  private readonly readerPair: PtyPair;
  private thermometer: VirtualSerialDevice | undefined;
  private reader: VirtualSerialDevice | undefined;
  private readonly random: Random;
  /** The person at the gate now: the cable is pulled between two people, not mid-frame. */
  private busy: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    seed: number,
    private readonly passIds: readonly string[],
    private readonly at: () => number,
  ) {
    this.thermoPair = PtyPair.inDir(join(dir, "pty"), "thermometer");
    this.readerPair = PtyPair.inDir(join(dir, "pty"), "reader");
    this.random = new Random(seed);
  }

  /** The devices as the gateway's config lists them. */
  devices(): object[] {
    return [
      {
        id: SERIAL_THERMOMETER,
        kind: "thermometer",
        checkpoint: SERIAL_GATE,
        transport: "serial",
        protocol: "text-line",
        path: this.thermoPair.gatewayPath,
      },
      {
        id: SERIAL_READER,
        kind: "pass_reader",
        checkpoint: SERIAL_GATE,
        transport: "serial",
        protocol: "rdm6300",
        path: this.readerPair.gatewayPath,
      },
    ];
  }

  async plug(): Promise<void> {
    await this.thermoPair.plug();
    await this.readerPair.plug();
    this.thermometer = new VirtualSerialDevice("text-line", this.thermoPair.devicePath);
    this.reader = new VirtualSerialDevice("rdm6300", this.readerPair.devicePath);
    await this.thermometer.open();
    await this.reader.open();
  }

  async unplug(): Promise<void> {
    // A write on a port closed under it never calls back; let the frame finish first.
    await this.busy;
    await this.thermometer?.close();
    await this.reader?.close();
    this.thermometer = undefined;
    this.reader = undefined;
    await this.thermoPair.unplug();
    await this.readerPair.unplug();
  }

  /**
   * One person: a card held to the reader (most of them), then the forehead at the thermometer.
   * Skipped while the cable is out: a device cannot send on a pulled cable.
   */
  person(): Promise<void> {
    this.busy = this.busy.then(() => this.walkThrough());
    return this.busy;
  }

  private async walkThrough(): Promise<void> {
    const reader = this.reader;
    const thermometer = this.thermometer;
    if (!reader || !thermometer) return;
    if (this.random.chance(0.9)) {
      const passId = this.passIds[Math.floor(this.random.next() * this.passIds.length)] as string;
      this.sent.push({ kind: "scan", value: passId, atMs: this.at() });
      await reader.present(passId, 200);
    }
    const tempC = this.random.chance(0.1)
      ? Math.round((37.6 + this.random.next() * 1.5) * 10) / 10
      : Math.round((36.0 + this.random.next() * 1.0) * 10) / 10;
    this.sent.push({ kind: "reading", value: String(tempC), atMs: this.at() });
    await thermometer.measure(tempC);
  }

  async close(): Promise<void> {
    await this.unplug();
  }
}
