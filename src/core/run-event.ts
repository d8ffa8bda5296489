import type { DagRun, RunFields, TaskInstance } from "./run.js";

/**
 * What one event (a try ended, a try was lost, a clear, a mark...) does to a run: the changes to
 * write, in the order they happened, and what follows from them. Core functions return it; the
 * runner and src/ops write it with `writeRunEvent` and act on `ready` and `retries`.
 */
export interface RunEvent {
  /** Task instances to save, in the order they changed (a task may appear more than once). */
  readonly tasks: readonly TaskInstance[];
  /** The run's fields to save, when the event changes them; null when it does not. */
  readonly run: RunFields | null;
  /** Tasks whose trigger rule is met and that may start now, in DAG order. */
  readonly ready: readonly string[];
  /** up_for_retry tasks whose trigger rule is met, and when their next try may start. */
  readonly retries: readonly { readonly taskId: string; readonly at: string }[];
}

/** An event that changes nothing. */
export const NO_CHANGE: RunEvent = { tasks: [], run: null, ready: [], retries: [] };

/** The run as it is once `event` is written: what a reader shows without writing anything. */
export function applyRunEvent(run: DagRun, event: RunEvent): DagRun {
  if (event.tasks.length === 0 && event.run === null) return run;
  const tasks: Record<string, TaskInstance> = Object.assign(Object.create(null), run.tasks);
  for (const instance of event.tasks) tasks[instance.task_id] = instance;
  return { ...(event.run ?? run), tasks };
}
