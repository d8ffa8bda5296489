import type { TaskInstance } from "../core/run.js";
import { NotFoundError } from "../errors.js";
import { loadDag } from "./load-dag.js";
import { runsPage } from "./runs-page.js";
import type { Workspace } from "./workspace.js";

/** A task's instance in one run, for a chart of its durations over runs. */
export interface TaskDurationPoint {
  readonly runId: string;
  readonly logicalDate: string;
  readonly instance: TaskInstance;
  /** Its try was lost with the run's flow process, not recovered yet (ShownRun.lost). */
  readonly lost: boolean;
}

/**
 * The task's instances in the DAG's newest `limit` runs, oldest first (a chart's order). Runs
 * without the task (made before it was added) are left out. An unknown task is a NotFoundError
 * naming the DAG's tasks. Reads only those runs.
 */
export async function taskDurations(
  workspace: Workspace,
  dagId: string,
  taskId: string,
  limit: number,
): Promise<TaskDurationPoint[]> {
  const { loaded } = await loadDag(workspace, dagId);
  const { dag } = loaded;
  if (!dag.tasks.has(taskId))
    throw new NotFoundError("task", taskId, [...dag.tasks.keys()].sort(), {
      where: `dag "${dagId}"`,
    });
  const { runs } = await runsPage(workspace, dagId, { offset: 0, limit }, dag);
  const points: TaskDurationPoint[] = [];
  for (const run of [...runs].reverse()) {
    const instance = run.tasks[taskId];
    if (!instance) continue;
    const lost = run.lost?.tasks.includes(taskId) ?? false;
    points.push({ runId: run.run_id, logicalDate: run.logical_date, instance, lost });
  }
  return points;
}
