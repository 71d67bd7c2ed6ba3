import { type Decoded, dropped } from "../frame-result.js";
import {
  DATA_LENGTH,
  FRAME_LENGTH,
  HEADER_BYTE,
  OFFSET,
  SCALE,
  TYPE_TEMPERATURE,
} from "./constants.js";

/** One temperature frame of the GY-MCU90614 module; immutable. */
export class Gy90614Frame {
  private constructor(
    /** Object (forehead) temperature, °C, 0.01 resolution. */
    readonly objectC: number,
    readonly ambientC: number,
  ) {}

  static of(objectC: number, ambientC: number): Gy90614Frame {
    const toWire = (c: number) => Math.round(c * SCALE);
    for (const value of [objectC, ambientC]) {
      const wire = toWire(value);
      if (wire < -32768 || wire > 32767)
        throw new RangeError(`${value} °C does not fit a GY-MCU90614 frame`);
    }
    return new Gy90614Frame(toWire(objectC) / SCALE, toWire(ambientC) / SCALE);
  }

  /** Decodes exactly one frame's bytes: header, type, length and checksum must all be right. */
  static fromBuffer(bytes: Buffer): Decoded<Gy90614Frame> {
    if (bytes.length !== FRAME_LENGTH)
      return dropped("malformed", `frame is ${bytes.length} bytes, not ${FRAME_LENGTH}`);
    if (bytes[OFFSET.header] !== HEADER_BYTE || bytes[OFFSET.header + 1] !== HEADER_BYTE) {
      return dropped("malformed", "no 5A 5A header");
    }
    if (bytes[OFFSET.type] !== TYPE_TEMPERATURE || bytes[OFFSET.length] !== DATA_LENGTH) {
      return dropped(
        "malformed",
        `type ${hex(bytes[OFFSET.type])} length ${hex(bytes[OFFSET.length])} is not a temperature frame`,
      );
    }
    const expected = checksum(bytes);
    if (bytes[OFFSET.checksum] !== expected) {
      return dropped(
        "checksum",
        `checksum ${hex(bytes[OFFSET.checksum])}, expected ${hex(expected)}`,
      );
    }
    return {
      ok: true,
      frame: new Gy90614Frame(
        bytes.readInt16BE(OFFSET.object) / SCALE,
        bytes.readInt16BE(OFFSET.ambient) / SCALE,
      ),
    };
  }

  toBuffer(): Buffer {
    const bytes = Buffer.alloc(FRAME_LENGTH);
    bytes[OFFSET.header] = HEADER_BYTE;
    bytes[OFFSET.header + 1] = HEADER_BYTE;
    bytes[OFFSET.type] = TYPE_TEMPERATURE;
    bytes[OFFSET.length] = DATA_LENGTH;
    bytes.writeInt16BE(Math.round(this.objectC * SCALE), OFFSET.object);
    bytes.writeInt16BE(Math.round(this.ambientC * SCALE), OFFSET.ambient);
    bytes[OFFSET.checksum] = checksum(bytes);
    return bytes;
  }
}

/** Low byte of the sum of bytes 0..7. */
export function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < OFFSET.checksum; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).toUpperCase().padStart(2, "0");
}
