import type { Json } from "../../core/json.js";
import type { ShownRun } from "../../core/lost-run.js";

/** One task instance in the `--json` contract. */
export interface TaskStatusJson {
  state: string;
  try_number: number;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  /** Why it failed, was skipped or is upstream_failed; null otherwise. */
  reason: string | null;
  /** Tries it may have in all: retries + 1, plus the tries a clear or an interruption gave back. */
  max_tries: number;
  /** When an up_for_retry task's next try may start, or an up_for_reschedule sensor's next poke. */
  next_try_at: string | null;
  /** Its return value (function tasks; Airflow's return_value XCom); null when none. */
  result: Json | null;
  /** Tries an interruption of flow stopped (counted in try_number and given back in max_tries). */
  interrupted_tries: number;
  /** When a reschedule-mode sensor's wait began (its first poke); null for other tasks. */
  sensor_start: string | null;
  /** The host of the queue worker that ran the try (`--executor queue`); null for a local try. */
  worker: string | null;
  /** Its try was lost with the run's flow process: it is shown ended at the run's `lost_at`. */
  lost: boolean;
}

/** One run in the `--json` contract. */
export interface RunStatusJson {
  run_id: string;
  run_type: string;
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
  state: string;
  start: string | null;
  end: string | null;
  /** Why the run failed or was requeued when no task says so (deadlock, interrupted). */
  reason: string | null;
  /**
   * Set when the run's flow process died and no command has recovered the run yet: the last
   * moment that process was seen alive, where its lost tries end. The run and those tries are
   * shown as the recovery will record them. Null otherwise.
   */
  lost_at: string | null;
  tasks: Record<string, TaskStatusJson>;
}

/**
 * The documented `--json` shape of `flow status` and `flow run` (README, "flow status"). It is a
 * contract with scripts: add fields, never rename or remove them.
 */
export function toStatusJson(
  dagId: string,
  runs: readonly ShownRun[],
): { dag_id: string; runs: RunStatusJson[] } {
  return {
    dag_id: dagId,
    runs: runs.map((run) => ({
      run_id: run.run_id,
      run_type: run.run_type,
      logical_date: run.logical_date,
      data_interval_start: run.data_interval_start,
      data_interval_end: run.data_interval_end,
      state: run.state,
      start: run.start,
      end: run.end,
      reason: run.reason,
      lost_at: run.lost?.at ?? null,
      tasks: Object.fromEntries(
        Object.values(run.tasks).map((ti) => [
          ti.task_id,
          {
            state: ti.state,
            try_number: ti.try_number,
            start: ti.start,
            end: ti.end,
            duration_ms: ti.duration_ms,
            reason: ti.reason,
            max_tries: ti.max_tries,
            next_try_at: ti.next_try_at,
            result: ti.result ?? null,
            interrupted_tries: ti.interrupted_tries ?? 0,
            sensor_start: ti.sensor_start ?? null,
            worker: ti.hostname ?? null,
            lost: run.lost?.tasks.includes(ti.task_id) ?? false,
          },
        ]),
      ),
    })),
  };
}
