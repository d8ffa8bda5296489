import { clearTaskInstance } from "./clear.js";
import type { Dag } from "./dag.js";
import type { TaskInstance } from "./run.js";
import { instanceIn } from "./task-table.js";
import { newTaskInstance } from "./transitions.js";

/** Why an instance is `removed`: its task is no longer in the DAG. */
export const REMOVED_REASON = "task removed from the DAG";

/**
 * Airflow's verify_integrity: the instances that make a run's `tasks` match `dag` as it is now,
 * for a run that is about to change (executed, marked, cleared). A task added to the DAG since
 * the run was created gets a fresh instance (no state); an instance whose task is gone from the
 * DAG becomes `removed`, whatever its state (the trigger rules and the leaf rule ignore it, and
 * no task waits for it: upstream lists come from the DAG); a removed instance whose task is back
 * returns to no state, its retries restored as a clear does. The DAG's tasks come first, in the
 * DAG's order, then the removed ones in id order. Nothing when the run matches the DAG.
 */
export function integrityChanges(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
): TaskInstance[] {
  const changes: TaskInstance[] = [];
  for (const spec of dag.tasks.values()) {
    const instance = instanceIn(tasks, spec.id);
    if (instance === undefined) changes.push(newTaskInstance(spec));
    else if (instance.state === "removed") changes.push(clearTaskInstance(instance, spec));
  }
  for (const id of Object.keys(tasks).sort()) {
    const instance = tasks[id]!;
    if (dag.tasks.has(id) || instance.state === "removed") continue;
    changes.push({
      ...instance,
      state: "removed",
      reason: REMOVED_REASON,
      pid: null,
      next_try_at: null,
    });
  }
  return changes;
}

/** `tasks` with integrityChanges applied (a new table; `tasks` itself is left as it is). */
export function withIntegrity(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
): { readonly tasks: Record<string, TaskInstance>; readonly changes: TaskInstance[] } {
  const changes = integrityChanges(dag, tasks);
  const next: Record<string, TaskInstance> = { ...tasks };
  for (const instance of changes) next[instance.task_id] = instance;
  return { tasks: next, changes };
}
