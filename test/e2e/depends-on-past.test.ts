import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeProject, statusJson, type Project } from "./harness.js";

// Every test pins "now" after its ranges, so no interval is left out as "not ended yet".
const env = { FLOW_NOW: "2026-06-01T00:00:00Z" };

// `load` depends on its own past. An earlier day's load takes longer, so without dependsOnPast the
// runs of a backfill (all started at once) would end it newest first. It fails while a file
// "fail-<ds>" exists.
const PIPELINE = `
import { dag, bash } from "flow";
const extract = bash("extract", "true");
const load = bash(
  "load",
  'echo "$FLOW_DS start" >> load.log; sleep "0.$((4 - $(echo $FLOW_DS | cut -c10)))"; ' +
    '[ ! -f "fail-$FLOW_DS" ] || exit 3; echo "$FLOW_DS end" >> load.log',
  { upstream: [extract], dependsOnPast: true },
);
export default dag({ id: "daily", schedule: "@daily", start: "2026-01-01", tasks: [extract, load] });
`;

const runId = (day: string): string => `backfill__2026-01-${day}T00:00:00+00:00`;

let project: Project;
afterEach(async () => project?.cleanup());

const backfill = (end: string, maxActiveRuns: string) =>
  project.flow(
    [
      "backfill",
      "daily",
      "--start",
      "2026-01-01",
      "--end",
      end,
      "--max-active-runs",
      maxActiveRuns,
    ],
    { env },
  );

const loadLog = async (): Promise<string[]> =>
  (await project.read("load.log").catch(() => "")).split("\n").filter(Boolean);

describe("dependsOnPast", () => {
  it("runs a task in date order over a backfill of concurrent runs", async () => {
    project = await makeProject({ "pipelines/daily.ts": PIPELINE });
    const result = await backfill("2026-01-03", "3");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(await loadLog()).toEqual([
      "2026-01-01 start",
      "2026-01-01 end",
      "2026-01-02 start",
      "2026-01-02 end",
      "2026-01-03 start",
      "2026-01-03 end",
    ]);
  });

  it("a failed previous run blocks the task; retrying that run, then this one, unblocks it", async () => {
    project = await makeProject({ "pipelines/daily.ts": PIPELINE, "fail-2026-01-01": "" });
    const failed = await backfill("2026-01-02", "2");
    expect(failed.exitCode).toBe(1);
    // The second run's load never started: it waited for the first run, then gave up.
    expect(await loadLog()).toEqual(["2026-01-01 start"]);

    const why = `it is failed in the previous run ${runId("01")} (flow retry that run, then this one)`;
    const { runs } = await statusJson(project, "daily");
    expect(runs.map((run) => [run.run_id, run.state])).toEqual([
      [runId("01"), "failed"],
      [runId("02"), "failed"],
    ]);
    expect(runs[1]!.tasks.extract!.state).toBe("success");
    expect(runs[1]!.tasks.load).toMatchObject({ state: "upstream_failed", try_number: 0 });
    // The run's reason in `flow status` (the latest run's summary line), the task's in `flow tree`.
    const status = await project.flow(["status", "daily"], { env });
    expect(status.stdout).toContain(
      `run ${runId("02")} failed in <dur>: 1 success, 1 upstream_failed (deadlocked: task "load" depends on past: ${why})`.replace(
        "<dur>",
        status.stdout.match(/failed in (\S+):/)![1]!,
      ),
    );
    const tree = await project.flow(["tree", "daily", "--run", runId("02")], { env });
    expect(tree.stdout).toContain(`↑ load  upstream_failed\n        depends on past: ${why}\n`);

    // Retrying the second run first changes nothing: its past is still failed.
    const early = await project.flow(["retry", "daily", runId("02")], { env });
    expect(early.exitCode).toBe(1);
    expect(early.stdout).toContain(`(deadlocked: task "load" depends on past: ${why})`);

    await rm(join(project.dir, "fail-2026-01-01"));
    expect((await project.flow(["retry", "daily", runId("01")], { env })).exitCode).toBe(0);
    const retried = await project.flow(["retry", "daily", runId("02")], { env });
    expect(retried.stderr).toBe("");
    expect(retried.exitCode).toBe(0);
    expect((await loadLog()).slice(1)).toEqual([
      "2026-01-01 start",
      "2026-01-01 end",
      "2026-01-02 start",
      "2026-01-02 end",
    ]);
  });

  it("flow run of a new date when a run it reads is corrupt: exit 4, one line, no run created", async () => {
    project = await makeProject({ "pipelines/daily.ts": PIPELINE });
    const first = await project.flow(["run", "daily", "--date", "2026-01-01"], { env });
    expect(first.exitCode, first.stderr).toBe(0);
    const file = `state/runs/daily/manual__2026-01-01T00:00:00+00:00.json`;
    await project.write(file, '{"version": 1, "seq"');
    const before = await project.snapshotState();
    const next = await project.flow(["run", "daily", "--date", "2026-01-02"], { env });
    expect(next.exitCode).toBe(4);
    expect(next.stderr.trim().split("\n")).toHaveLength(1);
    expect(next.stderr).toContain(`${file}: not valid JSON`);
    // Nothing was created: the same command works once the file is fixed or removed.
    expect(await project.snapshotState()).toEqual(before);
  });
});
