import { describe, expect, it } from "vitest";
import { buildDag } from "../../../src/core/build-dag.js";
import type { Dag } from "../../../src/core/dag.js";
import { newIntervalRun, timetableOf } from "../../../src/core/dag-timetable.js";
import type { DagRun, RunType } from "../../../src/core/run.js";
import type { RunState } from "../../../src/core/states.js";
import { activeRuns, pickRunsToStart, planRunsToCreate } from "../../../src/core/scheduler-pass.js";

function makeDag(options: Record<string, unknown>): Dag {
  const built = buildDag({
    file: "pipelines/t.ts",
    id: "t",
    schedule: "@daily",
    start: "2026-01-01",
    ...options,
    tasks: [{ id: "a", kind: "bash", upstream: [], downstream: [], options: {} }],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.issues));
  return built.dag;
}

const day = (d: number): Date => new Date(Date.UTC(2026, 0, d));

function run(
  dag: Dag,
  d: number,
  state: RunState = "success",
  type: RunType = "scheduled",
): DagRun {
  const base = newIntervalRun(
    dag,
    { start: day(d), end: day(d + 1) },
    type === "manual" ? "scheduled" : type,
    day(d + 1),
  );
  return {
    ...base,
    run_type: type,
    run_id: base.run_id.replace(/^\w+__/, `${type}__`),
    state,
  };
}

const starts = (plan: ReturnType<typeof planRunsToCreate>): string[] =>
  plan.create.map((due) => due.interval.start.toISOString().slice(0, 10));

const NOW = new Date("2026-01-04T06:00:00Z");

describe("planRunsToCreate", () => {
  it.each([
    {
      name: "catchup on, no runs: every missed interval",
      catchup: true,
      runs: [],
      want: ["2026-01-01", "2026-01-02", "2026-01-03"],
    },
    {
      name: "catchup off, no runs: the latest complete interval",
      catchup: false,
      runs: [],
      want: ["2026-01-03"],
    },
    {
      name: "catchup on, after the last scheduled run",
      catchup: true,
      runs: [1],
      want: ["2026-01-02", "2026-01-03"],
    },
    { name: "catchup on, all created: nothing", catchup: true, runs: [1, 2, 3], want: [] },
    {
      name: "catchup off, after an old run: skips the gap",
      catchup: false,
      runs: [1],
      want: ["2026-01-03"],
    },
  ])("$name", ({ catchup, runs, want }) => {
    const dag = makeDag({ catchup });
    const plan = planRunsToCreate(
      dag,
      timetableOf(dag)!,
      runs.map((d) => run(dag, d)),
      NOW,
    );
    expect(starts(plan)).toEqual(want);
    expect(plan.nextDueAt).toEqual(new Date("2026-01-05T00:00:00Z"));
  });

  it("continues after a backfill run, and a manual run does not move the schedule", () => {
    const dag = makeDag({ catchup: true });
    const runs = [run(dag, 1, "success", "backfill"), run(dag, 2, "success", "manual")];
    expect(starts(planRunsToCreate(dag, timetableOf(dag)!, runs, NOW))).toEqual([
      "2026-01-02",
      "2026-01-03",
    ]);
  });

  it("creates no more than maxActiveRuns minus the queued and running runs", () => {
    const dag = makeDag({ catchup: true, maxActiveRuns: 2 });
    const plan = planRunsToCreate(dag, timetableOf(dag)!, [], NOW);
    expect(starts(plan)).toEqual(["2026-01-01", "2026-01-02"]);
    expect(plan.deferred).toBe(true);
    expect(plan.nextDueAt).toBeNull(); // one is due already: the end of a run wakes the scheduler

    const busy = [run(dag, 1, "running"), run(dag, 2, "queued")];
    const full = planRunsToCreate(dag, timetableOf(dag)!, busy, NOW);
    expect(starts(full)).toEqual([]);
    expect(full.deferred).toBe(true);
  });

  it("backfill runs do not take the scheduler's places", () => {
    const dag = makeDag({ catchup: true, maxActiveRuns: 1 });
    const runs = [run(dag, 10, "queued", "backfill")];
    expect(activeRuns(runs)).toEqual([]);
  });

  it("caps the runs created per pass", () => {
    const dag = makeDag({ catchup: true, maxActiveRuns: 1000 });
    const plan = planRunsToCreate(
      dag,
      timetableOf(dag)!,
      [],
      new Date("2027-01-01T00:00:00Z"),
      100,
    );
    expect(plan.create).toHaveLength(100);
    expect(plan.deferred).toBe(true);
    const next = planRunsToCreate(
      dag,
      timetableOf(dag)!,
      plan.create.map((due) => ({
        ...run(dag, 1),
        logical_date: due.interval.start.toISOString(),
        data_interval_start: due.interval.start.toISOString(),
        data_interval_end: due.interval.end.toISOString(),
      })),
      new Date("2027-01-01T00:00:00Z"),
      100,
    );
    expect(starts(next)[0]).toBe("2026-04-11");
  });

  it("respects the end date and a start in the future", () => {
    const ended = makeDag({ catchup: true, end: "2026-01-02" });
    expect(starts(planRunsToCreate(ended, timetableOf(ended)!, [], NOW))).toEqual([
      "2026-01-01",
      "2026-01-02",
    ]);
    expect(planRunsToCreate(ended, timetableOf(ended)!, [], NOW).nextDueAt).toBeNull();
    const later = makeDag({ catchup: true, start: "2026-02-01" });
    const plan = planRunsToCreate(later, timetableOf(later)!, [], NOW);
    expect(starts(plan)).toEqual([]);
    expect(plan.nextDueAt).toEqual(new Date("2026-02-02T00:00:00Z"));
  });
});

describe("pickRunsToStart", () => {
  const dag = makeDag({ catchup: true });
  const limit = (maxActiveRuns: number) => ({ maxActiveRuns });
  const ids = (runs: DagRun[]): string[] => runs.map((r) => r.logical_date.slice(0, 10));

  it.each([
    {
      name: "oldest queued first, up to the limit",
      max: 2,
      states: ["queued", "queued", "queued"],
      want: ["2026-01-01", "2026-01-02"],
    },
    {
      name: "a running run takes a place",
      max: 2,
      states: ["running", "queued", "queued"],
      want: ["2026-01-02"],
    },
    { name: "no place left", max: 1, states: ["running", "queued"], want: [] },
    {
      name: "finished runs are never started",
      max: 5,
      states: ["success", "failed", "queued"],
      want: ["2026-01-03"],
    },
  ] as const)("$name", ({ max, states, want }) => {
    const runs = states.map((state, i) => run(dag, i + 1, state));
    expect(ids(pickRunsToStart(limit(max), runs, new Set()))).toEqual(want);
  });

  it("skips runs this process executes (they count as running) and runs to skip", () => {
    const runs = [run(dag, 1, "queued"), run(dag, 2, "queued"), run(dag, 3, "queued")];
    const executing = new Set([runs[0]!.run_id]);
    expect(ids(pickRunsToStart(limit(2), runs, executing))).toEqual(["2026-01-02"]);
    expect(ids(pickRunsToStart(limit(3), runs, new Set(), new Set([runs[1]!.run_id])))).toEqual([
      "2026-01-01",
      "2026-01-03",
    ]);
  });

  it("starts queued backfill runs too (a cleared or interrupted backfill), oldest first", () => {
    const runs = [run(dag, 1, "queued", "backfill"), run(dag, 2, "queued", "manual")];
    expect(ids(pickRunsToStart(limit(5), runs, new Set()))).toEqual(["2026-01-01", "2026-01-02"]);
  });

  it("counts backfill runs apart from maxActiveRuns: each kind has its own places", () => {
    const runs = [
      run(dag, 1, "running", "scheduled"),
      run(dag, 2, "queued", "scheduled"),
      run(dag, 3, "running", "backfill"),
      run(dag, 4, "queued", "backfill"),
      run(dag, 5, "queued", "backfill"),
    ];
    // One place each: the scheduled one is taken; the backfill one too.
    expect(ids(pickRunsToStart(limit(1), runs, new Set()))).toEqual([]);
    // Two places each: one more of each kind, the oldest.
    expect(ids(pickRunsToStart(limit(2), runs, new Set()))).toEqual(["2026-01-02", "2026-01-04"]);
  });
});
