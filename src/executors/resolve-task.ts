import { isTask, type Task } from "../api/definitions.js";
import type { TaskReference, TaskResolver } from "./executor.js";

/**
 * The task a reference points to, awaiting the resolver only when it answers with a promise.
 * Wrapped in an object so that a resolver bug handing back a thenable cannot hide in an await.
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
