import { type Decoded, dropped } from "../frame-result.js";
import { DATA_HEX_LENGTH, ETX, FRAME_LENGTH, OFFSET, PASS_ID_DIGITS, STX } from "./constants.js";

const HEX = /^[0-9A-Fa-f]+$/;

/** One card read by an RDM6300 reader; immutable. */
export class Rdm6300Frame {
  private constructor(
    readonly version: number,
    /** The 32-bit card tag. */
    readonly tag: number,
  ) {}

  static of(version: number, tag: number): Rdm6300Frame {
    if (!Number.isInteger(version) || version < 0 || version > 0xff)
      throw new RangeError(`version ${version} is not one byte`);
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff)
      throw new RangeError(`tag ${tag} is not 32 bits`);
    return new Rdm6300Frame(version, tag);
  }

  /** The card as a pass id: the tag in 10 decimal digits, zero-padded (docs/contract.md#devices-on-serial-ports). */
  static fromPassId(passId: string, version = 0): Rdm6300Frame {
    return Rdm6300Frame.of(version, Number(passId));
  }

  get passId(): string {
    return String(this.tag).padStart(PASS_ID_DIGITS, "0");
  }

  static fromBuffer(bytes: Buffer): Decoded<Rdm6300Frame> {
    if (bytes.length !== FRAME_LENGTH)
      return dropped("malformed", `frame is ${bytes.length} bytes, not ${FRAME_LENGTH}`);
    if (bytes[OFFSET.stx] !== STX || bytes[OFFSET.etx] !== ETX)
      return dropped("malformed", "no STX ... ETX");
    const text = bytes.toString("latin1", OFFSET.data, OFFSET.etx);
    if (!HEX.test(text)) return dropped("malformed", "data is not ASCII hex");
    const data = Buffer.from(text.slice(0, DATA_HEX_LENGTH), "hex");
    const expected = data.reduce((xor, byte) => xor ^ byte, 0);
    const given = Number.parseInt(text.slice(DATA_HEX_LENGTH), 16);
    if (given !== expected)
      return dropped(
        "checksum",
        `checksum ${text.slice(DATA_HEX_LENGTH)}, expected ${hex(expected)}`,
      );
    return { ok: true, frame: new Rdm6300Frame(data.readUInt8(0), data.readUInt32BE(1)) };
  }

  toBuffer(): Buffer {
    const data = Buffer.alloc(5);
    data[0] = this.version;
    data.writeUInt32BE(this.tag, 1);
    const checksum = data.reduce((xor, byte) => xor ^ byte, 0);
    const text = `${data.toString("hex")}${hex(checksum)}`.toUpperCase();
    return Buffer.concat([Buffer.from([STX]), Buffer.from(text, "latin1"), Buffer.from([ETX])]);
  }
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}
