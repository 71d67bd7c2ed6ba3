export { COMMAND_CONTINUOUS, COMMAND_READ_ONCE } from "./constants.js";
export { Gy90614Frame } from "./frame.js";
export { Gy90614Parser } from "./parser.js";
