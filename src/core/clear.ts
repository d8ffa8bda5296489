import type { Dag, TaskSpec } from "./dag.js";
import { downstreamClosure, upstreamClosure } from "./graph.js";
import type { DagRun, TaskInstance } from "./run.js";
import { applyRunEvent, type RunEvent } from "./run-event.js";
import { settleRun } from "./settle.js";
import { isFailedState } from "./states.js";

/** Which task instances of a run `flow clear` (and backfill's reruns) reset. */
export interface ClearSelection {
  /** Tasks whose id matches; all tasks when absent (Airflow's `--task-regex`). */
  readonly taskPattern?: RegExp;
  /** Keep only failed and upstream_failed instances (applied after the relatives are added). */
  readonly onlyFailed?: boolean;
  /** Add every task upstream of a matched task. */
  readonly upstream?: boolean;
  /** Add every task downstream of a matched task. */
  readonly downstream?: boolean;
}

/**
 * Task ids of `run` to clear, in the DAG's order. As Airflow: match by pattern, add upstream
 * and/or downstream relatives, then, with `onlyFailed`, keep the failed and upstream_failed ones
 * (so a rerun "from the point of failure" also re-runs what never ran because of the failure).
 */
export function selectTasksToClear(dag: Dag, run: DagRun, selection: ClearSelection): string[] {
  const matched = [...dag.tasks.keys()].filter((id) => selection.taskPattern?.test(id) ?? true);
  const chosen = new Set(matched);
  if (selection.upstream) for (const id of upstreamClosure(dag, matched)) chosen.add(id);
  if (selection.downstream) for (const id of downstreamClosure(dag, matched)) chosen.add(id);
  return [...dag.tasks.keys()].filter((id) => {
    if (!chosen.has(id)) return false;
    const instance = Object.hasOwn(run.tasks, id) ? run.tasks[id] : undefined;
    if (!instance) return !selection.onlyFailed;
    return selection.onlyFailed ? isFailedState(instance.state) : true;
  });
}

/**
 * The instance back to no state, as Airflow's clear does: its retries are restored
 * (max_tries = tries so far + retries + 1) and its result dropped; try_number is kept, so the
 * next try gets a new log file and the earlier tries' logs stay. A sensor's wait (sensor_start,
 * sensor_pokes) goes too: cleared, it waits afresh, with its whole timeout.
 */
export function clearTaskInstance(instance: TaskInstance, spec: TaskSpec): TaskInstance {
  const { result: _dropped, sensor_start: _start, sensor_pokes: _pokes, ...rest } = instance;
  return {
    ...rest,
    state: "none",
    max_tries: instance.try_number + spec.retries + 1,
    start: null,
    end: null,
    duration_ms: null,
    exit_code: null,
    reason: null,
    pid: null,
    next_try_at: null,
  };
}

/**
 * The event "clear `taskIds` of `run` at `at`" (`flow clear`, `flow retry`, backfill's reruns):
 * each id that is a task of `dag` with an instance in `run` goes back to no state
 * (clearTaskInstance), in the order given, and the run goes back to queued at `at`, so that
 * `flow run --run`, backfill or the scheduler picks it up. As Airflow's clear, the run's start
 * goes too, so the next attempt's duration does not count the time the run sat finished.
 * Instances outside the selection are untouched, their results included, so the tasks that run
 * again can read them. `ready` and `retries` say what the run would start first when resumed (the
 * trigger rules' skips that come with it are the resuming run's to write).
 */
export function clearTasks(dag: Dag, run: DagRun, taskIds: readonly string[], at: Date): RunEvent {
  const cleared: TaskInstance[] = [];
  for (const id of taskIds) {
    const spec = dag.tasks.get(id);
    const instance = Object.hasOwn(run.tasks, id) ? run.tasks[id] : undefined;
    if (spec && instance) cleared.push(clearTaskInstance(instance, spec));
  }
  const { tasks, ...fields } = run;
  const settlement = settleRun(dag, tasks, { now: at, pending: cleared });
  return {
    tasks: cleared,
    run: {
      ...fields,
      state: "queued",
      queued_at: at.toISOString(),
      start: null,
      end: null,
      reason: null,
      owner: null,
    },
    ready: settlement.ready,
    retries: settlement.waitingForRetry,
  };
}

/** `run` with `taskIds` cleared and the run back to queued at `at`: clearTasks, applied. */
export function clearRun(dag: Dag, run: DagRun, taskIds: readonly string[], at: Date): DagRun {
  return applyRunEvent(run, clearTasks(dag, run, taskIds, at));
}
