/**
 * Text-printing screening heads and modules (docs/contract.md#devices-on-serial-ports `text-line`): one reading per line, ended
 * by CR, LF or CRLF. The number is found by a regular expression with a named group `temp`.
 */

/** A longer line is not a reading: dropped whole (docs/contract.md#devices-on-serial-ports). */
export const MAX_LINE_BYTES = 256;

/** Accepts `T:36.5`, `TEMP=36.5C`, `36.5`, `t: 36.50 °C`. */
export const DEFAULT_PATTERN = String.raw`^\s*(?:T(?:EMP)?\s*[:=]\s*)?(?<temp>-?\d{1,3}(?:\.\d{1,3})?)\s*(?:°?C)?\s*$`;
