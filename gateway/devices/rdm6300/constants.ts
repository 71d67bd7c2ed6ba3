/**
 * RDM6300 125 kHz EM4100 card reader, 9600 8N1 (module datasheet, "output format"; docs/contract.md#devices-on-serial-ports):
 *
 *   byte 0       0x02        STX
 *   byte 1-2     ASCII hex   version / customer code (1 byte)
 *   byte 3-10    ASCII hex   card tag (4 bytes)
 *   byte 11-12   ASCII hex   checksum: XOR of the 5 decoded bytes
 *   byte 13      0x03        ETX
 *
 * The reader repeats the frame for as long as the card is held to it.
 */
export const STX = 0x02;
export const ETX = 0x03;
export const FRAME_LENGTH = 14;
export const OFFSET = { stx: 0, data: 1, checksum: 11, etx: 13 } as const;
/** Hex characters of version + tag. */
export const DATA_HEX_LENGTH = 10;
/** The pass id is the 4-byte tag as a 10-digit zero-padded decimal number. */
export const PASS_ID_DIGITS = 10;
