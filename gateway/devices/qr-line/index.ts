export { DEFAULT_IDLE_MS, NO_READ } from "./constants.js";
export { isPassText, QrFrame, type QrSuffix } from "./frame.js";
export { QrLineParser } from "./parser.js";
