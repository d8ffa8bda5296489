import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import type { LoadedDag } from "../../../src/loader/load-pipelines.js";
import { backfillRangeOf, type BackfillDates } from "../../../src/ops/backfill-range-of.js";
import { previewBackfill } from "../../../src/ops/plan-backfill.js";
import type { Workspace } from "../../../src/ops/workspace.js";
import { makeDag } from "../core/dag-fixture.js";

const NOW = new Date("2026-01-10T00:00:00Z");
const daily = makeDag(
  { extract: [], load: { upstream: ["extract"], dependsOnPast: true } },
  { id: "etl", schedule: "@daily", start: "2026-01-02" },
);
const loaded: LoadedDag = {
  dag: daily,
  file: "/pipelines/etl.ts",
  tasks: new Map(),
  callbacks: { run: {}, tasks: new Map() },
};
// A state dir that does not exist: a preview reads it as empty and must not create it.
const workspace: Workspace = {
  cwd: tmpdir(),
  env: {},
  pipelinesDir: join(tmpdir(), "flow-no-such-dir", "pipelines"),
  stateDir: join(tmpdir(), "flow-no-such-dir", "state"),
  now: () => NOW,
};

function dates(start: string, end: string): BackfillDates {
  return { start: { text: start, utc: new Date(start) }, end: { text: end, utc: new Date(end) } };
}

describe("backfillRangeOf", () => {
  it("clamps to the DAG's start and leaves out intervals not ended, counting both", () => {
    const range = backfillRangeOf(daily, dates("2025-12-31", "2026-01-10"), NOW);
    expect(range.intervals.map((interval) => interval.start.toISOString().slice(0, 10))).toEqual([
      "2026-01-02",
      "2026-01-03",
      "2026-01-04",
      "2026-01-05",
      "2026-01-06",
      "2026-01-07",
      "2026-01-08",
      "2026-01-09",
    ]);
    // The interval of 2026-01-09 ends exactly at "now": ended, so it is in.
    expect([range.beforeDagStart, range.afterDagEnd, range.notEnded]).toEqual([2, 0, 1]);
  });

  it.each([
    {
      name: "a DAG without a schedule",
      dag: makeDag({ t: [] }, { id: "manual" }),
      range: dates("2026-01-01", "2026-01-02"),
      want: 'dag "manual" has no schedule: nothing to backfill; use flow run manual --date <date>',
    },
    {
      name: "an end before the start",
      dag: daily,
      range: dates("2026-01-05", "2026-01-03"),
      want: "--end 2026-01-03 is before --start 2026-01-05",
    },
  ])("$name is a usage error", ({ dag, range, want }) => {
    expect(() => backfillRangeOf(dag, range, NOW)).toThrow(want);
  });
});

describe("previewBackfill", () => {
  const range = backfillRangeOf(daily, dates("2026-01-02", "2026-01-04"), NOW);

  it("plans a create per interval on a state dir that does not exist yet", async () => {
    const plan = await previewBackfill(workspace, loaded, range, {
      dates: dates("2026-01-02", "2026-01-04"),
    });
    expect(plan.steps.map((step) => [step.action, step.runId])).toEqual([
      ["create", "backfill__2026-01-02T00:00:00+00:00"],
      ["create", "backfill__2026-01-03T00:00:00+00:00"],
      ["create", "backfill__2026-01-04T00:00:00+00:00"],
    ]);
    expect([plan.toRun, plan.runsAtOnce]).toEqual([3, daily.maxActiveRuns]);
  });

  it("refuses a range without a complete interval, with a hint", async () => {
    const empty = backfillRangeOf(daily, dates("2026-01-12", "2026-01-13"), NOW);
    await expect(
      previewBackfill(workspace, loaded, empty, { dates: dates("2026-01-12", "2026-01-13") }),
    ).rejects.toMatchObject({
      message:
        'dag "etl" has no complete interval with a logical date in [2026-01-12, 2026-01-13] (schedule @daily, UTC)',
      hint: "flow next etl shows the schedule's next runs",
    });
  });

  it.each([
    { name: "fewer runs at once than intervals: refused", maxActiveRuns: 2, refused: true },
    { name: "every run at once: allowed", maxActiveRuns: 3, refused: false },
  ])("--reverse with a dependsOnPast task, $name", async ({ maxActiveRuns, refused }) => {
    const planned = previewBackfill(workspace, loaded, range, {
      dates: dates("2026-01-02", "2026-01-04"),
      reverse: true,
      maxActiveRuns,
    });
    if (!refused) {
      expect((await planned).steps[0]!.runId).toBe("backfill__2026-01-04T00:00:00+00:00");
      return;
    }
    await expect(planned).rejects.toMatchObject({
      message:
        '--reverse cannot backfill dag "etl": task "load" depends on past, so each run waits for the one before it',
      hint: "drop --reverse, or allow every run at once (--max-active-runs 3)",
    });
  });
});
