import { isTask, type Task } from "../api/definitions.js";
import type { TaskReference, TaskResolver } from "./executor.js";

/**
 * HACK: `Task` has a `then(tasks)` method (for `a.then(b)` chains), which makes every Task a
 * thenable: a Promise can never resolve to one, because resolving calls `task.then(resolve,
 * reject)`, which throws. So `TaskResolver.resolve(): Promise<Task>` cannot work as typed. Until
 * the contract changes (rename `Task.then`, or have resolve return the Task synchronously or
 * wrapped), accept a resolver that returns the Task itself, synchronously.
 * The wrapper object keeps the Task out of this function's own promise.
 */
export async function resolveTask(
  resolver: TaskResolver,
  ref: TaskReference,
): Promise<{ task: Task }> {
  const value: unknown = resolver.resolve(ref);
  if (isTask(value)) return { task: value };
  const task: unknown = await (value as Promise<unknown>);
  if (!isTask(task))
    throw new Error(`task resolver returned no task for "${ref.dagId}.${ref.taskId}"`);
  return { task };
}
