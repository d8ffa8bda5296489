import { countInstances, type RunClear } from "../../core/clear-plan.js";
import type { TaskInstance } from "../../core/run.js";
import { plannedInstances, type ClearPlan } from "../../ops/clear.js";
import { formatState, type ColorOption } from "./colors.js";
import { makeTable } from "./table.js";

/** The plan as a table: run id, task, its current state and tries. */
export function renderClearPlan(plan: readonly RunClear[], color: ColorOption): string {
  const table = makeTable(["run id", "task", "state", "tries"], { color });
  for (const { run, taskIds } of plan) {
    for (const id of taskIds) {
      const instance: TaskInstance = run.tasks[id]!;
      table.push([
        run.run_id,
        id,
        formatState(instance.state, color),
        instance.try_number === 0 ? "-" : `${instance.try_number}/${instance.max_tries}`,
      ]);
    }
  }
  return table.toString();
}

/** "3 task instances in 2 runs" */
export function describeClearCount(plan: readonly RunClear[]): string {
  const n = countInstances(plan);
  return `${n} task instance${n === 1 ? "" : "s"} in ${plan.length} run${plan.length === 1 ? "" : "s"}`;
}

/**
 * `flow clear --json`: `{dag_id, dry_run, fingerprint, instances: [...]}`, one instance per task
 * to clear (dry run) or cleared, with its run, task, state and tries before the clear. The
 * fingerprint of a dry run, given to `--expect`, clears exactly that plan or nothing.
 */
export function clearJson(dagId: string, plan: ClearPlan, dryRun: boolean): string {
  const instances = plannedInstances(plan);
  const json = {
    dag_id: dagId,
    dry_run: dryRun,
    fingerprint: plan.fingerprint,
    instances,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
