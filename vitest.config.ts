import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests that import the bundled examples directly resolve their "flow" imports to the API.
  resolve: {
    alias: [
      {
        find: /^flow$/,
        replacement: fileURLToPath(new URL("./src/api/index.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Clears the FLOW_* variables of the shell that runs the tests: see test/setup-env.ts.
    setupFiles: ["test/setup-env.ts"],
  },
});
