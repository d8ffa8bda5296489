import { selectTasksToClear, type ClearSelection } from "./clear.js";
import type { Dag } from "./dag.js";
import type { DagRun } from "./run.js";
import { stateIn } from "./upstream-tally.js";

/** The task instances one run would have cleared. */
export interface RunClear {
  readonly run: DagRun;
  readonly taskIds: readonly string[];
}

/** Logical dates a clear covers, both inclusive (Airflow's `--start-date` / `--end-date`). */
export interface DateRange {
  readonly start?: Date;
  readonly end?: Date;
}

/** Runs whose logical date lies in `range` (an open side takes every date). */
export function runsInRange(runs: readonly DagRun[], range: DateRange): DagRun[] {
  return runs.filter((run) => {
    const at = Date.parse(run.logical_date);
    return (
      (range.start === undefined || at >= range.start.getTime()) &&
      (range.end === undefined || at <= range.end.getTime())
    );
  });
}

/**
 * What clearing `selection` in each run would reset, leaving out runs with nothing selected.
 * Instances already in no state, and tasks with no instance in the run, are left out: there is
 * nothing to clear in them.
 */
export function planClear(
  dag: Dag,
  runs: readonly DagRun[],
  selection: ClearSelection,
): RunClear[] {
  return runs
    .map((run) => ({
      run,
      // A task added to the DAG since the run was created has no instance: nothing to clear
      // (the run makes one when it is executed again).
      taskIds: selectTasksToClear(dag, run, selection).filter((id) => {
        const state = stateIn(run.tasks, id);
        return state !== undefined && state !== "none";
      }),
    }))
    .filter((entry) => entry.taskIds.length > 0);
}

/** Number of task instances in a plan. */
export function countInstances(plan: readonly RunClear[]): number {
  return plan.reduce((sum, entry) => sum + entry.taskIds.length, 0);
}

/**
 * What a plan would change, as a line per task instance (`run<TAB>task<TAB>state<TAB>try`): two
 * plans with the same lines clear the same tries. A surface shows a preview, and the apply that
 * follows refuses when the plan made under the locks no longer has these lines.
 */
export function describeClearPlan(plan: readonly RunClear[]): string {
  const lines: string[] = [];
  for (const { run, taskIds } of plan) {
    for (const id of taskIds) {
      const instance = run.tasks[id];
      lines.push(
        `${run.run_id}\t${id}\t${instance?.state ?? "none"}\t${instance?.try_number ?? 0}`,
      );
    }
  }
  return lines.join("\n");
}
