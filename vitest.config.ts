import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real brokers, servers and browsers: give them room, and run
    // files one at a time on this 2-core machine so ports and CPU are not fought over.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
