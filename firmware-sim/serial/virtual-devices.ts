import { SerialPort } from "serialport";
import {
  COMMAND_CONTINUOUS,
  COMMAND_READ_ONCE,
  Gy90614Frame,
} from "../../gateway/devices/gy-mcu90614/index.js";
import { QrFrame } from "../../gateway/devices/qr-line/index.js";
import { Rdm6300Frame } from "../../gateway/devices/rdm6300/index.js";
import { TextLineFrame } from "../../gateway/devices/text-line/index.js";

export type SerialProtocol = "gy-mcu90614" | "text-line" | "rdm6300" | "qr-line";
export const THERMOMETER_PROTOCOLS: readonly SerialProtocol[] = ["gy-mcu90614", "text-line"];
export const READER_PROTOCOLS: readonly SerialProtocol[] = ["rdm6300", "qr-line"];

/**
 * A simulated serial device on a pseudo-terminal (or any port path), speaking its protocol
 * byte for byte with the gateway's own frame encoders (`toBuffer()`), so the two cannot drift.
 */
export class VirtualSerialDevice {
  private port: SerialPort | undefined;
  /** gy-mcu90614: what the sensor sees now, and whether the host asked for continuous output. */
  private objectC = 21.0;
  private ambientC = 21.0;
  private continuous: NodeJS.Timeout | undefined;

  constructor(
    readonly protocol: SerialProtocol,
    readonly path: string,
  ) {}

  /** gy-mcu90614: whether the host has asked for continuous output since the port opened. */
  get streaming(): boolean {
    return this.continuous !== undefined;
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((error) => (error ? reject(error) : resolve())),
    );
    port.on("error", () => {});
    port.on("data", (bytes: Buffer) => this.onHostCommand(bytes));
    this.port = port;
  }

  async close(): Promise<void> {
    clearInterval(this.continuous);
    this.continuous = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** A person at the thermometer: `tempC` for `holdMs`, then the background again. */
  async measure(tempC: number, holdMs = 600): Promise<void> {
    if (this.protocol === "text-line") {
      await this.write(TextLineFrame.of(tempC).toBuffer());
      return;
    }
    this.objectC = tempC;
    await sleep(holdMs);
    this.objectC = this.ambientC;
  }

  /** A card held to the reader for `holdMs` (repeating, as the RDM6300 does), or a code scanned once. */
  async present(passId: string, holdMs = 300): Promise<void> {
    if (this.protocol === "qr-line") {
      await this.write(QrFrame.of(passId).toBuffer("\r"));
      return;
    }
    const frame = Rdm6300Frame.fromPassId(passId).toBuffer();
    for (let held = 0; held < holdMs; held += 100) {
      await this.write(frame);
      await sleep(100);
    }
  }

  /** Raw bytes, for noise. */
  async write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.write(bytes, () => port.drain(() => resolve())));
  }

  /** One valid frame of this protocol, for split-frame and noise scenarios. */
  sampleFrame(): Buffer {
    switch (this.protocol) {
      case "gy-mcu90614":
        return Gy90614Frame.of(36.6, this.ambientC).toBuffer();
      case "text-line":
        return TextLineFrame.of(36.6).toBuffer();
      case "rdm6300":
        return Rdm6300Frame.fromPassId("0012345678").toBuffer();
      case "qr-line":
        return QrFrame.of("SIM-NOISE-OK").toBuffer("\r");
    }
  }

  private onHostCommand(bytes: Buffer): void {
    if (this.protocol !== "gy-mcu90614") return;
    if (bytes.includes(COMMAND_CONTINUOUS)) {
      clearInterval(this.continuous);
      // The module streams a frame about every 100 ms once asked (datasheet).
      this.continuous = setInterval(
        () => void this.write(Gy90614Frame.of(this.objectC, this.ambientC).toBuffer()),
        100,
      );
    } else if (bytes.includes(COMMAND_READ_ONCE)) {
      void this.write(Gy90614Frame.of(this.objectC, this.ambientC).toBuffer());
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
