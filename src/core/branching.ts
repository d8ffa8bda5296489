import type { Dag } from "./dag.js";
import { quoteList } from "./describe-value.js";
import { downstreamClosure } from "./graph.js";
import type { Json } from "./json.js";
import type { TaskInstance } from "./run.js";
import { isWaitingForTime } from "./states.js";
import { markTask } from "./transitions.js";

/**
 * Reads what a branch task returned: a task id, a list of them, or null/empty for none. Each
 * must be a direct downstream task of the branch (Airflow's rule). Returns the chosen ids or why
 * the result is unusable (the branch task then fails with that message).
 */
export function readBranchChoice(
  dag: Dag,
  branchId: string,
  result: Json | undefined,
): { chosen: string[] } | { error: string } {
  const downstream = dag.tasks.get(branchId)?.downstream ?? [];
  const values =
    result === undefined || result === null ? [] : Array.isArray(result) ? result : [result];
  const chosen: string[] = [];
  for (const value of values) {
    if (typeof value !== "string" || !downstream.includes(value)) {
      return {
        error: `branch returned ${JSON.stringify(value)}, not one of its direct downstream tasks (${quoteList(downstream)})`,
      };
    }
    chosen.push(value);
  }
  return { chosen };
}

/**
 * The direct downstream tasks of a branch that it did not choose, skipped (those not yet
 * decided). As in Airflow, only direct downstream tasks are skipped here; the skip then cascades
 * through trigger rules, so a task joining a chosen path still runs (with a suitable rule).
 */
export function skipUnchosen(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  branchId: string,
  chosen: readonly string[],
): TaskInstance[] {
  const reason =
    chosen.length === 0
      ? `branch "${branchId}" chose no task`
      : `branch "${branchId}" chose ${quoteList(chosen)}`;
  return (dag.tasks.get(branchId)?.downstream ?? [])
    .filter((id) => !chosen.includes(id) && tasks[id]?.state === "none")
    .map((id) => markTask(tasks[id]!, "skipped", reason));
}

/**
 * A short-circuit task returned a falsy value: every task downstream of it, direct or not, that
 * has not run yet is skipped (Airflow's ShortCircuitOperator, ignoring downstream trigger rules).
 */
export function skipShortCircuited(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  taskId: string,
): TaskInstance[] {
  const reason = `short-circuit "${taskId}" returned false`;
  return [...downstreamClosure(dag, [taskId])]
    .filter((id) => tasks[id]?.state === "none")
    .map((id) => markTask(tasks[id]!, "skipped", reason));
}

/**
 * failFast: task `failedId` failed, so every task that has not started is skipped. (Running ones
 * are stopped by the runner and recorded as failed.)
 */
export function skipForFailFast(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  failedId: string,
): TaskInstance[] {
  const reason = `fail_fast: task "${failedId}" failed`;
  return [...dag.tasks.keys()]
    .filter((id) => {
      const state = tasks[id]?.state;
      return state === "none" || (state !== undefined && isWaitingForTime(state));
    })
    .map((id) => markTask(tasks[id]!, "skipped", reason));
}
