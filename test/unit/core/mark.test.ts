import { describe, expect, it } from "vitest";
import { markTaskInstances, type MarkRequest } from "../../../src/core/mark.js";
import type { DagRun, TaskInstance } from "../../../src/core/run.js";
import type { TaskState } from "../../../src/core/states.js";
import { newRun } from "../../../src/core/transitions.js";
import { instances, makeDag } from "./dag-fixture.js";

// extract -> transform -> load -> notify; audit independent; cleanup (all_done) after load.
// DAG order (topological, ties by name): audit, extract, transform, load, cleanup, notify.
const dag = makeDag({
  extract: [],
  transform: ["extract"],
  load: ["transform"],
  notify: ["load"],
  audit: [],
  cleanup: { upstream: ["load"], triggerRule: "all_done" },
});
const at = new Date("2026-01-01T00:00:00Z");
const now = new Date("2026-01-02T12:00:00Z");
const ended = "2026-01-01T00:05:00.000Z";

function runWith(
  state: DagRun["state"],
  tasks: Record<string, TaskState | Partial<TaskInstance>>,
): DagRun {
  return {
    ...newRun({
      dag,
      runId: "manual__x",
      runType: "manual",
      logicalDate: at,
      dataIntervalStart: at,
      dataIntervalEnd: at,
      queuedAt: at,
      params: {},
    }),
    state,
    start: "2026-01-01T00:00:01.000Z",
    end: state === "success" || state === "failed" ? ended : null,
    tasks: instances(dag, tasks),
  };
}

// transform failed, what depends on it never ran, cleanup (all_done) ran and failed; audit succeeded.
const failedRun = runWith("failed", {
  extract: { state: "success", try_number: 1, result: { rows: 3 }, end: ended },
  transform: { state: "failed", try_number: 1, reason: "exit code 1", end: ended },
  load: { state: "upstream_failed", reason: 'upstream task "transform" failed' },
  notify: { state: "upstream_failed", reason: 'upstream task "load" could not run' },
  cleanup: { state: "failed", try_number: 1, reason: "exit code 2", end: ended },
  audit: { state: "success", try_number: 1, end: ended },
});

// A compact view: "id: state (reason)" per changed instance, and the run's state.
function mark(run: DagRun, request: Omit<MarkRequest, "now">): { changed: string[]; run: string } {
  const outcome = markTaskInstances(dag, run, { ...request, now });
  return {
    changed: outcome.changed.map((ti) => `${ti.task_id}: ${ti.state} (${ti.reason ?? ""})`),
    run: outcome.run.state,
  };
}

describe("markTaskInstances", () => {
  it.each<[string, DagRun, Omit<MarkRequest, "now">, { changed: string[]; run: string }]>([
    [
      "failed task marked success: its downstream can run again, the run goes back to queued",
      failedRun,
      { taskIds: ["transform"], state: "success" },
      {
        changed: [
          "transform: success (marked success by hand)",
          "load: none ()",
          "cleanup: none ()",
          "notify: none ()",
        ],
        run: "queued",
      },
    ],
    [
      "failed task marked skipped: all_success downstream are skipped, all_done runs",
      failedRun,
      { taskIds: ["transform"], state: "skipped" },
      {
        changed: [
          "transform: skipped (marked skipped by hand)",
          'load: skipped (upstream task "transform" was skipped)',
          "cleanup: none ()",
          'notify: skipped (upstream task "load" was skipped)',
        ],
        run: "queued",
      },
    ],
    [
      "failed task marked success with --downstream: everything finished, the leaf rule says success",
      failedRun,
      { taskIds: ["transform"], state: "success", downstream: true },
      {
        changed: [
          "transform: success (marked success by hand)",
          "load: success (marked success by hand)",
          "cleanup: success (marked success by hand)",
          "notify: success (marked success by hand)",
        ],
        run: "success",
      },
    ],
    [
      "a not-yet-run task marked failed: its downstream become upstream_failed",
      runWith("queued", { extract: { state: "success", try_number: 1, end: ended } }),
      { taskIds: ["transform"], state: "failed" },
      {
        changed: [
          "transform: failed (marked failed by hand)",
          'load: upstream_failed (upstream task "transform" failed)',
          'notify: upstream_failed (upstream task "load" could not run (upstream_failed))',
        ],
        run: "queued",
      },
    ],
    [
      "a successful leaf marked failed in a finished run: the run fails",
      runWith("success", {
        extract: "success",
        transform: "success",
        load: "success",
        notify: "success",
        cleanup: "success",
        audit: "success",
      }),
      { taskIds: ["audit"], state: "failed" },
      { changed: ["audit: failed (marked failed by hand)"], run: "failed" },
    ],
    [
      "a success in the middle marked failed: finished downstream tasks are left as they are",
      runWith("success", {
        extract: "success",
        transform: "success",
        load: "success",
        notify: "success",
        cleanup: "success",
        audit: "success",
      }),
      { taskIds: ["transform"], state: "failed" },
      { changed: ["transform: failed (marked failed by hand)"], run: "success" },
    ],
    [
      "with --upstream: the task and everything it waits for",
      runWith("queued", {}),
      { taskIds: ["load"], state: "success", upstream: true },
      {
        changed: [
          "extract: success (marked success by hand)",
          "transform: success (marked success by hand)",
          "load: success (marked success by hand)",
        ],
        run: "queued",
      },
    ],
    [
      "already in that state: nothing changes, the run stays as it was",
      failedRun,
      { taskIds: ["extract"], state: "success" },
      { changed: [], run: "failed" },
    ],
    [
      "an id that is not in the run is ignored",
      failedRun,
      { taskIds: ["nope"], state: "failed" },
      {
        changed: [],
        run: "failed",
      },
    ],
  ])("%s", (_name, run, request, expected) => {
    expect(mark(run, request)).toEqual(expected);
  });

  it("a downstream task that failed on its own is cleared as Airflow does: retries restored", () => {
    const outcome = markTaskInstances(dag, failedRun, {
      taskIds: ["transform"],
      state: "success",
      now,
    });
    const cleanup = outcome.changed.find((ti) => ti.task_id === "cleanup");
    expect(cleanup).toMatchObject({ state: "none", try_number: 1, max_tries: 2, reason: null });
  });

  it("keeps tries, results and end times; sets the end of instances that never ended", () => {
    const outcome = markTaskInstances(dag, failedRun, {
      taskIds: ["transform", "load"],
      state: "success",
      now,
    });
    const [transform, load] = outcome.changed;
    expect(transform).toMatchObject({ try_number: 1, end: ended, pid: null, next_try_at: null });
    expect(load).toMatchObject({ state: "success", try_number: 0, end: now.toISOString() });
    const extract = markTaskInstances(dag, failedRun, {
      taskIds: ["extract"],
      state: "failed",
      now,
    }).changed[0];
    expect(extract).toMatchObject({ state: "failed", result: { rows: 3 } });
  });

  it("a run that finishes by the mark ends now; one finished in the same state keeps its end", () => {
    const all = runWith("queued", {});
    const finished = markTaskInstances(dag, all, {
      taskIds: ["extract", "audit"],
      state: "success",
      downstream: true,
      now,
    }).run;
    expect(finished).toMatchObject({ state: "success", end: now.toISOString(), owner: null });
    const again = markTaskInstances(dag, failedRun, {
      taskIds: ["audit"],
      state: "failed",
      now,
    }).run;
    expect(again).toMatchObject({ state: "failed", end: ended });
  });

  it("a queued run keeps queued_at and start, and loses its end and reason", () => {
    const outcome = markTaskInstances(
      dag,
      { ...failedRun, reason: "deadlocked" },
      {
        taskIds: ["transform"],
        state: "success",
        now,
      },
    );
    expect(outcome.run).toMatchObject({
      state: "queued",
      queued_at: failedRun.queued_at,
      start: failedRun.start,
      end: null,
      reason: null,
    });
  });

  it("leaves the run it was given untouched", () => {
    const before = structuredClone(failedRun);
    markTaskInstances(dag, failedRun, { taskIds: ["transform"], state: "success", now });
    expect(failedRun).toEqual(before);
  });
});
