/**
 * GY-MCU90614 UART infrared thermometer module (MLX90614 sensor behind an MCU), 9600 8N1.
 * Output frame (module datasheet, "serial output format"; docs/contract.md#devices-on-serial-ports):
 *
 *   byte 0-1  0x5A 0x5A   frame header
 *   byte 2    0x45        data type: temperature
 *   byte 3    0x04        number of data bytes that follow
 *   byte 4-5  TO high/low object temperature x 100, °C
 *   byte 6-7  TA high/low ambient temperature x 100, °C
 *   byte 8    SUM         low byte of the sum of bytes 0..7
 *
 * Temperatures are read as signed 16-bit values: an ambient below 0 °C at a winter gate is
 * real, and the module sends it in two's complement.
 */
export const HEADER_BYTE = 0x5a;
export const TYPE_TEMPERATURE = 0x45;
export const DATA_LENGTH = 0x04;
export const FRAME_LENGTH = 9;

export const OFFSET = {
  header: 0,
  type: 2,
  length: 3,
  object: 4,
  ambient: 6,
  checksum: 8,
} as const;

/** Host commands (datasheet, "serial commands"): the third byte is the sum of the first two. */
export const COMMAND_READ_ONCE = Buffer.from([0xa5, 0x15, 0xba]);
export const COMMAND_CONTINUOUS = Buffer.from([0xa5, 0x45, 0xea]);

export const SCALE = 100;
