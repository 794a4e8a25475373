import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    // Integration and fault tests start their own nats-server and child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
