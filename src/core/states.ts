/**
 * Task instance and DAG run states, named as in Airflow and persisted as these strings
 * (never as numbers), so the state file, the CLI output and the docs use the same words.
 */
export const TASK_STATES = [
  "none",
  "scheduled",
  "queued",
  "running",
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "up_for_retry",
  // A reschedule-mode sensor between two pokes: no slot, no process (Airflow's up_for_reschedule).
  "up_for_reschedule",
  "removed",
] as const;

export type TaskState = (typeof TASK_STATES)[number];

export const RUN_STATES = ["queued", "running", "success", "failed"] as const;

export type RunState = (typeof RUN_STATES)[number];

const FINISHED: ReadonlySet<TaskState> = new Set([
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "removed",
]);

/** Airflow's "finished" set: nothing more will happen to a task instance in one of these. */
export function isFinished(state: TaskState): boolean {
  return FINISHED.has(state);
}

/** Airflow's "failed-ish" set. */
export function isFailedState(state: TaskState): boolean {
  return state === "failed" || state === "upstream_failed";
}

/** Airflow's "success-ish" set. */
export function isSuccessState(state: TaskState): boolean {
  return state === "success" || state === "skipped";
}

export function isRunFinished(state: RunState): boolean {
  return state === "success" || state === "failed";
}

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === "string" && (TASK_STATES as readonly string[]).includes(value);
}

/**
 * States of a task waiting for a time (next_try_at) before it starts again: a retry, or a
 * reschedule-mode sensor's next poke. Neither holds a slot nor a process while it waits.
 */
export function isWaitingForTime(state: TaskState): boolean {
  return state === "up_for_retry" || state === "up_for_reschedule";
}
