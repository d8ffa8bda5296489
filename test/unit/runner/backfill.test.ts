import { describe, expect, it } from "vitest";
import { planBackfill, type BackfillStep } from "../../../src/core/backfill.js";
import { newIntervalRun } from "../../../src/core/dag-timetable.js";
import type { Dag } from "../../../src/core/dag.js";
import type { DagRun } from "../../../src/core/run.js";
import { LockError } from "../../../src/errors.js";
import type { Executor, TaskExecution, TaskOutcome } from "../../../src/executors/executor.js";
import type { LoadedDag } from "../../../src/loader/load-pipelines.js";
import {
  executeBackfill,
  planBackfillRuns,
  previewBackfillRuns,
} from "../../../src/runner/backfill.js";
import { Engine } from "../../../src/runner/engine.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { makeDag, type TaskDef } from "../core/dag-fixture.js";

const CLOCK = (): Date => new Date("2026-06-01T00:00:00Z");
const day = (d: number) => ({
  start: new Date(Date.UTC(2026, 0, d)),
  end: new Date(Date.UTC(2026, 0, d + 1)),
});
const days = (...ds: number[]) => ds.map(day);

// Executes every task on the next turn of the event loop, failing the ones `fails` names
// ("<ds> <task>"); records starts and how many runs had a task running at once.
class FakeExecutor implements Executor {
  readonly started: string[] = [];
  readonly active = new Map<string, number>();
  maxActiveRuns = 0;
  constructor(private readonly fails: ReadonlySet<string> = new Set()) {}

  async execute(execution: TaskExecution): Promise<TaskOutcome> {
    const { ds, runId } = execution.context;
    const key = `${ds} ${execution.ref.taskId}`;
    this.started.push(key);
    this.active.set(runId, (this.active.get(runId) ?? 0) + 1);
    this.maxActiveRuns = Math.max(this.maxActiveRuns, this.active.size);
    await new Promise((resolve) => setImmediate(resolve));
    const left = this.active.get(runId)! - 1;
    if (left === 0) this.active.delete(runId);
    else this.active.set(runId, left);
    return this.fails.has(key)
      ? { status: "failed", error: "exit code 1", exitCode: 1, retryable: true }
      : { status: "success" };
  }

  async close(): Promise<void> {}
}

function setup(tasks: Record<string, TaskDef>, fails: string[] = []) {
  const dag: Dag = makeDag(tasks, { id: "etl", schedule: "@daily", start: "2026-01-01" });
  const loaded: LoadedDag = {
    dag,
    file: "/pipelines/etl.ts",
    tasks: new Map(),
    callbacks: { run: {}, tasks: new Map() },
  };
  const store = new MemoryStateStore();
  const executor = new FakeExecutor(new Set(fails));
  const engine = new Engine({
    store,
    executors: { bash: executor, function: executor },
    parallelism: 32,
    clock: CLOCK,
    owner: { pid: 1, hostname: "test" },
  });
  return { dag, loaded, store, executor, engine };
}

async function backfill(
  env: ReturnType<typeof setup>,
  steps: BackfillStep[],
  options: { maxActiveRuns?: number; reset?: boolean; signal?: AbortSignal } = {},
) {
  return executeBackfill({
    engine: env.engine,
    loaded: env.loaded,
    steps,
    maxActiveRuns: options.maxActiveRuns ?? 16,
    clock: CLOCK,
    ...(options.reset !== undefined && { reset: options.reset }),
    ...(options.signal && { signal: options.signal }),
  });
}

const states = (runs: readonly DagRun[]) =>
  runs.map((run) => `${run.logical_date.slice(0, 10)} ${run.state}`);

describe("executeBackfill", () => {
  it("creates a backfill run per step, starting them in plan order, at most maxActiveRuns at once", async () => {
    const env = setup({ a: [], b: ["a"] });
    const steps = planBackfill(days(1, 2, 3, 4, 5), []);
    const outcome = await backfill(env, steps, { maxActiveRuns: 2 });
    expect(env.executor.maxActiveRuns).toBe(2);
    expect(env.executor.started.filter((key) => key.endsWith(" a"))).toEqual(
      ["01", "02", "03", "04", "05"].map((d) => `2026-01-${d} a`),
    );
    expect(outcome.notStarted).toBe(0);
    const stored = await env.store.listRuns("etl");
    expect(stored.map((run) => [run.run_id, run.run_type, run.state])).toEqual(
      [1, 2, 3, 4, 5].map((d) => [`backfill__2026-01-0${d}T00:00:00+00:00`, "backfill", "success"]),
    );
  });

  it("maxActiveRuns 1 with the reversed plan: one run at a time, newest first", async () => {
    const env = setup({ a: [] });
    await backfill(env, planBackfill(days(1, 2, 3), [], { reverse: true }), { maxActiveRuns: 1 });
    expect(env.executor.maxActiveRuns).toBe(1);
    expect(env.executor.started).toEqual(["2026-01-03 a", "2026-01-02 a", "2026-01-01 a"]);
  });

  it("a rerun clears only failed and upstream_failed tasks; with reset, all of them", async () => {
    const env = setup({ a: [], b: ["a"], c: ["b"], side: ["a"] }, ["2026-01-01 b"]);
    const first = await backfill(env, planBackfill(days(1), []));
    expect(states(first.runs)).toEqual(["2026-01-01 failed"]);

    const fixed = setup({ a: [], b: ["a"], c: ["b"], side: ["a"] });
    await fixed.store.createRun(structuredClone(first.runs[0]!));
    const steps = planBackfill(days(1), await fixed.store.listRuns("etl"), { rerunFailed: true });
    expect(steps.map((step) => step.action)).toEqual(["rerun"]);
    const rerun = await backfill(fixed, steps);
    expect(states(rerun.runs)).toEqual(["2026-01-01 success"]);
    expect(fixed.executor.started).toEqual(["2026-01-01 b", "2026-01-01 c"]);

    const reset = await backfill(
      fixed,
      planBackfill(days(1), await fixed.store.listRuns("etl"), { reset: true }),
      { reset: true },
    );
    expect(states(reset.runs)).toEqual(["2026-01-01 success"]);
    expect(fixed.executor.started.slice(2).sort()).toEqual(
      ["2026-01-01 a", "2026-01-01 b", "2026-01-01 c", "2026-01-01 side"].sort(),
    );
  });

  it("resumes a queued run without running its finished tasks again", async () => {
    const env = setup({ a: [], b: ["a"] });
    const run = newIntervalRun(env.dag, day(1), "backfill", CLOCK());
    await env.store.createRun({
      ...run,
      tasks: { ...run.tasks, a: { ...run.tasks.a!, state: "success", try_number: 1 } },
    });
    const steps = planBackfill(days(1), await env.store.listRuns("etl"));
    expect(steps.map((step) => step.action)).toEqual(["resume"]);
    const outcome = await backfill(env, steps);
    expect(states(outcome.runs)).toEqual(["2026-01-01 success"]);
    expect(env.executor.started).toEqual(["2026-01-01 b"]);
  });

  it("starts nothing once the signal has fired, and creates no run", async () => {
    const env = setup({ a: [] });
    const abort = new AbortController();
    abort.abort();
    const outcome = await backfill(env, planBackfill(days(1, 2), []), { signal: abort.signal });
    expect(outcome).toEqual({ runs: [], notStarted: 2 });
    expect(await env.store.listRuns("etl")).toEqual([]);
  });

  it("resumes a run another process created since the plan, even the scheduler's twin", async () => {
    const env = setup({ a: [] });
    await env.store.createRun(newIntervalRun(env.dag, day(2), "backfill", CLOCK()));
    await env.store.createRun(newIntervalRun(env.dag, day(3), "scheduled", CLOCK()));
    // A stale plan: it still thinks days 2 and 3 have no run.
    const steps = planBackfill(days(1, 2, 3), []);
    await backfill(env, steps, { maxActiveRuns: 1 });
    expect(env.executor.started).toEqual(["2026-01-01 a", "2026-01-02 a", "2026-01-03 a"]);
    const runs = await env.store.listRuns("etl");
    expect(runs.map((run) => [run.run_id.split("T")[0], run.state])).toEqual([
      ["backfill__2026-01-01", "success"],
      ["backfill__2026-01-02", "success"],
      ["scheduled__2026-01-03", "success"],
    ]);
  });
});

describe("planBackfillRuns", () => {
  it("refuses a run that another live process executes, before writing anything", async () => {
    const env = setup({ a: [] });
    const run = newIntervalRun(env.dag, day(1), "backfill", CLOCK());
    await env.store.createRun({
      ...run,
      state: "running",
      owner: { pid: 42, hostname: "box", heartbeat: CLOCK().toISOString() },
    });
    const held = await env.store.openRun("etl", run.run_id); // its live owner
    await expect(
      planBackfillRuns(env.store, env.loaded, days(1, 2), { clock: CLOCK }),
    ).rejects.toThrow(LockError);
    await expect(
      planBackfillRuns(env.store, env.loaded, days(1, 2), { clock: CLOCK }),
    ).rejects.toThrow(`run "${run.run_id}" is being executed by flow process 42 on box`);
    await held.close();
    expect((await env.store.listRuns("etl")).map((r) => r.run_id)).toEqual([run.run_id]);
  });

  it("recovers a run whose process died, so it is resumed; a dry run only reads", async () => {
    const env = setup({ a: [] });
    const run = newIntervalRun(env.dag, day(1), "backfill", CLOCK());
    await env.store.createRun({ ...run, state: "running" });
    const dry = await previewBackfillRuns(env.store, env.loaded, days(1), {});
    expect(dry.map((step) => [step.action, step.existingState])).toEqual([["resume", "running"]]);
    expect((await env.store.listRuns("etl"))[0]!.state).toBe("running");
    const steps = await planBackfillRuns(env.store, env.loaded, days(1), { clock: CLOCK });
    expect(steps.map((step) => [step.action, step.existingState])).toEqual([["resume", "queued"]]);
  });

  it("a dry run predicts the refusal of a run a live process executes", async () => {
    const env = setup({ a: [] });
    const run = newIntervalRun(env.dag, day(1), "backfill", CLOCK());
    await env.store.createRun({
      ...run,
      state: "running",
      owner: { pid: 42, hostname: "box", heartbeat: CLOCK().toISOString() },
    });
    const held = await env.store.openRun("etl", run.run_id); // its live owner
    try {
      await expect(previewBackfillRuns(env.store, env.loaded, days(1), {})).rejects.toThrow(
        `run "${run.run_id}" is being executed by flow process 42 on box`,
      );
    } finally {
      await held.close();
    }
  });
});
