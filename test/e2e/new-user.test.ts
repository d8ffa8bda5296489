import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

// What a new user trips over (issue 10): each case runs the real binary on real pipeline files.

let project: Project;
afterEach(async () => project?.cleanup());

describe("a misspelled DAG option is an error, not a silent default", () => {
  it("names each unknown option of dag() with the closest real one", async () => {
    project = await makeProject({
      "pipelines/i.ts": `
import { dag, bash } from "flow";
export default dag({
  id: "i",
  schedule: "@daily",
  start: "2026-01-01",
  catchUp: true,
  max_active_runs: 2,
  colour: "blue",
  tasks: [bash("a", "true")],
});
`,
    });
    const validate = await project.flow(["validate"]);
    expect(validate.exitCode).toBe(3);
    expect(validate.stderr).toContain(
      'pipelines/i.ts: dag "i": unknown dag option "catchUp" (did you mean "catchup"?)',
    );
    expect(validate.stderr).toContain(
      'unknown dag option "max_active_runs" (did you mean "maxActiveRuns"?)',
    );
    expect(validate.stderr).toMatch(/unknown dag option "colour" \(dag options are: id, /);
    expect(validate.stdout).toBe("0 DAGs valid, 3 problems in 1 place(s)");
  });
});
