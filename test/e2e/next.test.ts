import { afterEach, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./harness.js";

const pipeline = (options: string): string => `
import { dag, bash } from "flow";
export default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", ${options} tasks: [bash("t", "true")] });
`;

let project: Project;
afterEach(async () => project?.cleanup());

interface NextJson {
  runs: {
    logical_date: string;
    data_interval_end: string;
    due_at: string;
    due_at_local: string;
    due: boolean;
  }[];
}

async function next(args: string[] = []): Promise<NextJson> {
  const result = await project.flow(["next", "daily", "--json", ...args], {
    env: { FLOW_NOW: "2026-01-04T06:00:00Z" },
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("flow next", () => {
  it("with catchup: every missed interval is due now, oldest first (Airflow's example)", async () => {
    project = await makeProject({ "pipelines/daily.ts": pipeline("catchup: true,") });
    const { runs } = await next(["-n", "4"]);
    expect(runs.map((run) => [run.logical_date.slice(0, 10), run.due])).toEqual([
      ["2026-01-01", true],
      ["2026-01-02", true],
      ["2026-01-03", true],
      ["2026-01-04", false],
    ]);
    expect(runs[3]!.due_at).toBe("2026-01-05T00:00:00.000Z");
  });

  it("without catchup: only the latest complete interval, then the future ones", async () => {
    project = await makeProject({ "pipelines/daily.ts": pipeline("") });
    const { runs } = await next(["-n", "2"]);
    expect(runs.map((run) => [run.logical_date, run.data_interval_end, run.due])).toEqual([
      ["2026-01-03T00:00:00.000Z", "2026-01-04T00:00:00.000Z", true],
      ["2026-01-04T00:00:00.000Z", "2026-01-05T00:00:00.000Z", false],
    ]);
    const table = await project.flow(["next", "daily", "-n", "2"], {
      env: { FLOW_NOW: "2026-01-04T06:00:00Z" },
    });
    expect(table.stdout).toContain(
      "daily  @daily  (UTC, catchup off; now 2026-01-04T06:00:00.000Z)",
    );
    expect(table.stdout).toMatch(/2026-01-03 00:00 → 2026-01-04 00:00 .* due now/);
    expect(table.stdout).toMatch(/2026-01-04 00:00 → 2026-01-05 00:00 .* in 18h 00m/);
  });

  it("shows when runs are due in the DAG's timezone too", async () => {
    project = await makeProject({ "pipelines/daily.ts": pipeline('timezone: "Europe/Paris",') });
    const { runs } = await next(["-n", "1"]);
    expect(runs[0]!.due_at_local).toMatch(/\+01:00$/);
    const table = await project.flow(["next", "daily"], {
      env: { FLOW_NOW: "2026-01-04T06:00:00Z" },
    });
    expect(table.stdout).toContain("due at (Europe/Paris)");
  });

  it("says so for a DAG without a schedule, and rejects a bad count", async () => {
    project = await makeProject({
      "pipelines/manual.ts": `import { dag, bash } from "flow";\nexport default dag({ id: "manual", tasks: [bash("t", "true")] });\n`,
    });
    const result = await project.flow(["next", "manual"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'flow: dag "manual" has no schedule: it runs only when triggered (flow run manual)',
    );
    const bad = await project.flow(["next", "manual", "-n", "x"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe('flow: --count must be a whole number >= 1, got "x"');
  });
});
