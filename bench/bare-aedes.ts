import { createServer } from "node:net";
import { Aedes } from "aedes";

/**
 * The bare part for comparison: aedes with no hooks, in its own process like the gateway.
 * Prints its port on stdout and serves until killed.
 */
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  );
});
