import type { TaskContext, TaskLogger } from "../api/context.js";
import type { Json } from "../core/json.js";
import type { TaskExecution } from "./executor.js";

/** The `ctx` a function task (or a bash command given as a function) receives for one try. */
export function buildTaskContext(execution: TaskExecution, log: TaskLogger, signal: AbortSignal): TaskContext {
  const { results } = execution;
  const upstream: Record<string, Json> = {};
  for (const id of execution.upstream) {
    if (Object.hasOwn(results, id)) upstream[id] = results[id]!;
  }
  return {
    ...execution.context,
    upstream,
    pull: (taskId) => (Object.hasOwn(results, taskId) ? results[taskId] : undefined),
    log,
    signal,
  };
}
