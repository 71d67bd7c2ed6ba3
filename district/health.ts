import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WorkerHealth } from "./worker.js";

/**
 * `GET /health` of a district worker: its connections, whether PostgreSQL takes its batches
 * (503 while it does not: the worker is acknowledging nothing), what it stored and kept as dead letters.
 */
export async function serveHealth(
  host: string,
  port: number,
  health: () => WorkerHealth,
): Promise<{ port: number; close: () => void }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/health") {
      res.writeHead(404).end();
      return;
    }
    const now = health();
    const ok = now.database_ok && now.connected > 0;
    res
      .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify({ status: ok ? "ok" : "degraded", ...now }));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}
