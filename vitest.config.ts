import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Clears the FLOW_* variables of the shell that runs the tests: see test/setup-env.ts.
    setupFiles: ["test/setup-env.ts"],
  },
});
