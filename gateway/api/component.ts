import type { ComponentFactory } from "../core.js";
import { createApp } from "./app.js";
import { HttpServer } from "./http-server.js";

/**
 * The HTTP API, the pages and the WebSocket upgrades on one server (`http.host`, `http.port`).
 * Built after every feature that adds routes or the upgrade hook.
 */
export const httpComponent: ComponentFactory = (core) => {
  const server = new HttpServer(
    createApp(core),
    core.hooks.upgrades,
    core.config.http.host,
    core.config.http.port,
    core.logger("http"),
  );
  core.hooks.httpPort = () => server.port;
  return { name: "http", start: () => server.start(), stop: () => server.stop() };
};
