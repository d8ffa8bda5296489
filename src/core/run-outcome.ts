import type { Dag } from "./dag.js";
import { quoteList } from "./describe-value.js";
import { leafIds } from "./graph.js";
import type { TaskInstance } from "./run.js";
import { isFailedState, isFinished } from "./states.js";

/** The run's state as its task instances decide it. `reason` is set only when no task says why. */
export type RunOutcome =
  | { readonly state: "running" }
  | { readonly state: "success" }
  | { readonly state: "failed"; readonly reason: string | null };

const MAX_NAMED = 10;

/**
 * Airflow's DagRun.update_state. When every task instance is finished: failed if any leaf (task
 * with no downstream) is failed or upstream_failed, else success (removed leaves are ignored, so a
 * failure in the middle does not fail the run when an all_done leaf after it succeeded). When some
 * are unfinished but nothing is ready, running or waiting for a retry (`activity`, from the runner
 * and settleRun): failed, deadlocked. Otherwise still running.
 *
 * `blockedByPast` names the tasks the runner gave up on because their dependsOnPast can no longer
 * be met (`task "load" depends on past: it is failed in the previous run ...`): with nothing
 * active the run is failed, deadlocked on them, whatever its leaves say. Airflow would leave the
 * run running until someone fixes the past; a flow process (backfill, `--once`) must end instead.
 */
export function decideRunOutcome(
  dag: Dag,
  tasks: Readonly<Record<string, TaskInstance>>,
  activity: {
    ready: number;
    running: number;
    waitingForRetry: number;
    blockedByPast?: readonly string[];
  },
): RunOutcome {
  const instances = Object.values(tasks);
  const unfinished = instances.filter((ti) => !isFinished(ti.state));
  const active = activity.ready + activity.running + activity.waitingForRetry > 0;
  if (!active && activity.blockedByPast !== undefined && activity.blockedByPast.length > 0)
    return { state: "failed", reason: `deadlocked: ${activity.blockedByPast.join("; ")}` };
  if (unfinished.length === 0) {
    const leafFailed = leafIds(dag).some((id) => {
      const ti = Object.hasOwn(tasks, id) ? tasks[id] : undefined;
      return ti !== undefined && isFailedState(ti.state);
    });
    return leafFailed ? { state: "failed", reason: null } : { state: "success" };
  }
  if (active) return { state: "running" };
  return { state: "failed", reason: `deadlocked: ${nameTasks(dag, unfinished)} can never run` };
}

// `task "x"` or `tasks "x", "y"` in DAG order, at most MAX_NAMED names then "and N more".
function nameTasks(dag: Dag, unfinished: readonly TaskInstance[]): string {
  const ids = new Set(unfinished.map((ti) => ti.task_id));
  const ordered = [
    ...[...dag.tasks.keys()].filter((id) => ids.has(id)),
    ...[...ids].filter((id) => !dag.tasks.has(id)),
  ];
  const shown = quoteList(ordered.slice(0, MAX_NAMED));
  const more = ordered.length > MAX_NAMED ? ` and ${ordered.length - MAX_NAMED} more` : "";
  return `${ordered.length === 1 ? "task" : "tasks"} ${shown}${more}`;
}
