import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TEST_FILE = fileURLToPath(import.meta.url);

describe("the test suite ignores the FLOW_* settings of the shell that runs it", () => {
  it("no FLOW_* variable reaches a test", () => {
    expect(Object.keys(process.env).filter((name) => name.startsWith("FLOW_"))).toEqual([]);
  });

  it("holds when the shell sets FLOW_HOME, FLOW_PIPELINES and FLOW_NOW", () => {
    // The test above, in a vitest started the way a user of flow would, with their settings.
    const result = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", TEST_FILE, "-t", "no FLOW_"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          FLOW_HOME: "/nonexistent/state",
          FLOW_PIPELINES: "/nonexistent/pipelines",
          FLOW_NOW: "2020-01-01T00:00:00Z",
        },
      },
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 passed/);
  });
});
