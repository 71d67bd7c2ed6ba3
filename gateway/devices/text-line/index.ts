export { DEFAULT_PATTERN, MAX_LINE_BYTES } from "./constants.js";
export { compilePattern, TextLineFrame } from "./frame.js";
export { TextLineParser } from "./parser.js";
