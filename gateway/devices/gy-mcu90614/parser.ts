import { ResyncingParser } from "../resync-parser.js";
import { FRAME_LENGTH, HEADER_BYTE } from "./constants.js";
import { Gy90614Frame } from "./frame.js";

/** Bytes in, `Gy90614Frame`s out, resyncing on the 5A 5A header. */
export class Gy90614Parser extends ResyncingParser<Gy90614Frame> {
  constructor() {
    super({
      frameLength: FRAME_LENGTH,
      findStart: (data) => {
        for (let i = 0; i + 1 < data.length; i++) {
          if (data[i] === HEADER_BYTE && data[i + 1] === HEADER_BYTE) return i;
        }
        return -1;
      },
      // A trailing 5A may be the first half of the next header.
      partialStart: (data) => (data.at(-1) === HEADER_BYTE ? 1 : 0),
      decode: (bytes) => Gy90614Frame.fromBuffer(bytes),
    });
  }
}
