import type { ShownRun } from "../../core/lost-run.js";
import type { TaskInstance } from "../../core/run.js";

// The web view's JSON shapes (/work/notes/ui-contract.md): the state file's snake_case names,
// only the fields a page shows (no pids, owners or log paths: they say nothing to a browser).

/** One task instance as the API sends it; `lost`: its try was lost with the run's process. */
export function toTaskJson(instance: TaskInstance, lost = false) {
  return {
    state: instance.state,
    try_number: instance.try_number,
    max_tries: instance.max_tries,
    interrupted_tries: instance.interrupted_tries ?? 0,
    start: instance.start,
    end: instance.end,
    duration_ms: instance.duration_ms,
    reason: instance.reason,
    next_try_at: instance.next_try_at,
    exit_code: instance.exit_code,
    // The host of the queue worker that ran (or runs) the try; null for a local try.
    worker: instance.hostname ?? null,
    lost,
  };
}

/**
 * One run with its task instances as the API sends it. `lost_at`, as in `flow status --json`:
 * when its dead flow process was last seen alive, for a run no command has recovered yet.
 */
export function toRunJson(run: ShownRun) {
  return {
    run_id: run.run_id,
    run_type: run.run_type,
    state: run.state,
    logical_date: run.logical_date,
    data_interval_start: run.data_interval_start,
    data_interval_end: run.data_interval_end,
    queued_at: run.queued_at,
    start: run.start,
    end: run.end,
    reason: run.reason,
    lost_at: run.lost?.at ?? null,
    tasks: Object.fromEntries(
      Object.entries(run.tasks).map(([id, instance]) => [
        id,
        toTaskJson(instance, run.lost?.tasks.includes(id) ?? false),
      ]),
    ),
  };
}

/** A run with its DAG's id: the run page and the SSE `run` event. */
export function toDagRunJson(run: ShownRun) {
  return { dag_id: run.dag_id, ...toRunJson(run) };
}
