/**
 * QR / barcode scanner modules in serial mode (GM65 class), 9600 8N1 (docs/contract.md#devices-on-serial-ports `qr-line`): the
 * code's text followed by CR, LF or CRLF, or with no suffix at all, in which case a pause of
 * `idle_ms` between bytes ends the code.
 */
export const MAX_CODE_BYTES = 512;
export const DEFAULT_IDLE_MS = 100;
/** What GM65-class modules send when they saw no code: ignored, not a scan. */
export const NO_READ = "%%NoRead";
