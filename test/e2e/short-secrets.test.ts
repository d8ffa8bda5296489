import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

// A password of one letter, masked as a substring, turned every "e" of a log into "***".
// Airflow leaves secrets shorter than min_length_masked_secret (5) unmasked; so does flow.
let project: Project | undefined;
afterAll(async () => {
  await project?.cleanup();
});

describe("masking leaves secrets shorter than 5 characters alone", () => {
  it("a one-letter password does not mangle the log; a 5-letter one is still masked", async () => {
    project = await makeProject({
      "pipelines/rows.ts": `
import { dag, fn } from "flow";
export default dag({
  id: "rows",
  tasks: [
    fn("count", (ctx) => {
      ctx.connection("short");
      ctx.connection("five");
      ctx.log.info("processed 1000 rows for date", ctx.ds);
      ctx.log.info("five is", ctx.connection("five").password);
    }),
  ],
});
`,
      "state/connections.json": JSON.stringify({
        short: "http://u:e@h/",
        five: "http://u:Pw5x9@h/",
      }),
    });
    await chmod(join(project.stateDir, "connections.json"), 0o600);
    const result = await project.flow(["run", "rows", "--date", "2026-01-02"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const log = (await project.flow(["logs", "rows", "count"])).stdout;
    expect(log).toMatch(/INFO processed 1000 rows for date 2026-01-02$/m);
    expect(log).toMatch(/INFO five is \*\*\*$/m);
    expect(log).not.toContain("Pw5x9");
  });
});
