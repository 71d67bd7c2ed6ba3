export { Rdm6300Frame } from "./frame.js";
export { Rdm6300Parser } from "./parser.js";
