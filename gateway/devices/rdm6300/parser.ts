import { ResyncingParser } from "../resync-parser.js";
import { FRAME_LENGTH, STX } from "./constants.js";
import { Rdm6300Frame } from "./frame.js";

/**
 * Bytes in, `Rdm6300Frame`s out, resyncing on STX. Repeats of a held card are all passed on:
 * debouncing is the driver's (per card, `debounce_s`).
 */
export class Rdm6300Parser extends ResyncingParser<Rdm6300Frame> {
  constructor() {
    super({
      frameLength: FRAME_LENGTH,
      findStart: (data) => data.indexOf(STX),
      partialStart: () => 0,
      decode: (bytes) => Rdm6300Frame.fromBuffer(bytes),
    });
  }
}
