import type { ComponentFactory } from "../core.js";

/** Account logins (the API, the consoles, integrations on the broker): their throttles' timers. */
export const loginsComponent: ComponentFactory = ({ logins }) => ({
  name: "logins",
  start: () => logins.start(),
  stop: () => logins.stop(),
});
