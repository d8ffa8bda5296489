import { describe, expect, it } from "vitest";
import { planBackfill } from "../../../src/core/backfill.js";
import { newIntervalRun } from "../../../src/core/dag-timetable.js";
import type { Dag } from "../../../src/core/dag.js";
import type { Executor, TaskExecution, TaskOutcome } from "../../../src/executors/executor.js";
import type { LoadedDag } from "../../../src/loader/load-pipelines.js";
import { executeBackfill } from "../../../src/runner/backfill.js";
import { Engine } from "../../../src/runner/engine.js";
import { MemoryStateStore } from "../../../src/store/memory-store.js";
import { makeDag } from "../core/dag-fixture.js";

const CLOCK = (): Date => new Date("2026-06-01T00:00:00Z");
const day = (d: number) => ({
  start: new Date(Date.UTC(2026, 0, d)),
  end: new Date(Date.UTC(2026, 0, d + 1)),
});
const runId = (d: number): string => `backfill__2026-01-0${d}T00:00:00+00:00`;

// Records "start <ds> <task>" and "end <ds> <task>"; a task of an earlier day takes longer, so
// without dependsOnPast the later days would end first. Fails the keys in `fails`.
class TimedExecutor implements Executor {
  readonly events: string[] = [];
  readonly fails = new Set<string>();
  /** Runs before the task of that key ends. */
  readonly beforeEnd = new Map<string, () => Promise<void>>();

  async execute(execution: TaskExecution): Promise<TaskOutcome> {
    const { ds } = execution.context;
    const key = `${ds} ${execution.ref.taskId}`;
    this.events.push(`start ${key}`);
    await new Promise((resolve) => setTimeout(resolve, (10 - Number(ds.slice(8))) * 5));
    await this.beforeEnd.get(key)?.();
    this.events.push(`end ${key}`);
    return this.fails.has(key)
      ? { status: "failed", error: "exit code 1", exitCode: 1, retryable: false }
      : { status: "success" };
  }

  async close(): Promise<void> {}
}

//   extract -> load (dependsOnPast)
function setup(store = new MemoryStateStore(), pastPollMs = 20) {
  const dag: Dag = makeDag(
    { extract: [], load: { upstream: ["extract"], dependsOnPast: true } },
    { id: "etl", schedule: "@daily", start: "2026-01-01" },
  );
  const loaded: LoadedDag = {
    dag,
    file: "/pipelines/etl.ts",
    tasks: new Map(),
    callbacks: { run: {}, tasks: new Map() },
  };
  const executor = new TimedExecutor();
  const engine = new Engine({
    store,
    executors: { bash: executor, function: executor },
    parallelism: 32,
    clock: CLOCK,
    owner: { pid: 1, hostname: "test" },
    pastPollMs,
  });
  return { dag, loaded, store, executor, engine };
}

async function createRun(env: ReturnType<typeof setup>, d: number): Promise<void> {
  await env.store.createRun(newIntervalRun(env.dag, day(d), "backfill", CLOCK()));
}

describe("dependsOnPast in the runner", () => {
  it("runs the task in date order across concurrent runs; the others run at once", async () => {
    const env = setup();
    const outcome = await executeBackfill({
      engine: env.engine,
      loaded: env.loaded,
      steps: planBackfill([day(1), day(2), day(3)], []),
      maxActiveRuns: 3,
      clock: CLOCK,
    });
    expect(outcome.runs.map((run) => run.state)).toEqual(["success", "success", "success"]);
    const loads = env.executor.events.filter((event) => event.endsWith(" load"));
    expect(loads).toEqual([
      "start 2026-01-01 load",
      "end 2026-01-01 load",
      "start 2026-01-02 load",
      "end 2026-01-02 load",
      "start 2026-01-03 load",
      "end 2026-01-03 load",
    ]);
    // extract is not held: every day's extract starts before the first load.
    expect(env.executor.events.slice(0, 3).sort()).toEqual([
      "start 2026-01-01 extract",
      "start 2026-01-02 extract",
      "start 2026-01-03 extract",
    ]);
  });

  it("a failed previous task blocks the task: upstream_failed, the run fails deadlocked on its past", async () => {
    const env = setup();
    env.executor.fails.add("2026-01-01 load");
    await createRun(env, 1);
    await createRun(env, 2);
    expect((await env.engine.execute(env.loaded, runId(1))).state).toBe("failed");
    const blocked = await env.engine.execute(env.loaded, runId(2));
    const why = `it is failed in the previous run ${runId(1)} (flow retry that run, then this one)`;
    expect(blocked.state).toBe("failed");
    expect(blocked.reason).toBe(`deadlocked: task "load" depends on past: ${why}`);
    expect(blocked.tasks.extract!.state).toBe("success");
    expect(blocked.tasks.load).toMatchObject({
      state: "upstream_failed",
      try_number: 0,
      reason: `depends on past: ${why}`,
    });
    expect(env.executor.events).not.toContain("start 2026-01-02 load");
  });

  it("reads a blocked past again before giving up: a previous run fixed meanwhile lets the task run", async () => {
    // Polling every minute: only the read when the run stalls can see the fix.
    const env = setup(new MemoryStateStore(), 60_000);
    env.executor.fails.add("2026-01-01 load");
    await createRun(env, 1);
    await createRun(env, 2);
    expect((await env.engine.execute(env.loaded, runId(1))).state).toBe("failed");
    // While the second run's extract runs, someone retries the first run successfully.
    env.executor.beforeEnd.set("2026-01-02 extract", async () => {
      const writer = await env.store.openRun("etl", runId(1));
      const { tasks, ...fields } = writer.run;
      writer.saveTask({ ...tasks.load!, state: "success", reason: null });
      writer.saveRun({ ...fields, state: "success" });
      await writer.close();
    });
    const run = await env.engine.execute(env.loaded, runId(2));
    expect(run.state).toBe("success");
    expect(env.executor.events.slice(-2)).toEqual(["start 2026-01-02 load", "end 2026-01-02 load"]);
  });

  it("waits for a previous run that another process executes, reading it every pollMs", async () => {
    const store = new MemoryStateStore();
    const env = setup(store);
    const other = setup(store);
    await createRun(env, 1);
    await createRun(env, 2);
    const second = env.engine.execute(env.loaded, runId(2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(env.executor.events).toEqual(["start 2026-01-02 extract", "end 2026-01-02 extract"]);
    expect((await other.engine.execute(other.loaded, runId(1))).state).toBe("success");
    const run = await second;
    expect(run.state).toBe("success");
    expect(env.executor.events.at(-1)).toBe("end 2026-01-02 load");
  });

  it("the first run, and a previous run without the task, do not hold it", async () => {
    const env = setup();
    await createRun(env, 1);
    expect((await env.engine.execute(env.loaded, runId(1))).state).toBe("success");
    const older = newIntervalRun(env.dag, day(2), "backfill", CLOCK());
    const { load: _load, ...withoutLoad } = older.tasks;
    await env.store.createRun({ ...older, state: "failed", tasks: withoutLoad });
    await createRun(env, 3);
    expect((await env.engine.execute(env.loaded, runId(3))).state).toBe("success");
  });
});
