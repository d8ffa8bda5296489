import type { DagDefinition, RunCallback, Task, TaskCallbacks } from "../api/definitions.js";

/** The callbacks of a DAG's run and of each of its tasks (a task's own, else the DAG defaults'). */
export interface DagCallbacks {
  readonly run: { readonly onSuccess?: RunCallback; readonly onFailure?: RunCallback };
  readonly tasks: ReadonlyMap<string, TaskCallbacks>;
}

/** Collects the callbacks a definition declares, so the runner never reads the definition itself. */
export function collectCallbacks(
  definition: DagDefinition,
  tasks: ReadonlyMap<string, Task>,
): DagCallbacks {
  const { onSuccess, onFailure, defaults = {} } = definition.options;
  const byTask = new Map<string, TaskCallbacks>();
  for (const [id, task] of tasks) {
    const merged: TaskCallbacks = {};
    const success = task.callbacks.onSuccess ?? defaults.onSuccess;
    const failure = task.callbacks.onFailure ?? defaults.onFailure;
    const retry = task.callbacks.onRetry ?? defaults.onRetry;
    if (success) merged.onSuccess = success;
    if (failure) merged.onFailure = failure;
    if (retry) merged.onRetry = retry;
    if (success || failure || retry) byTask.set(id, merged);
  }
  return {
    run: { ...(onSuccess && { onSuccess }), ...(onFailure && { onFailure }) },
    tasks: byTask,
  };
}
