import { markTasks, type MarkState } from "../core/mark.js";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { NotFoundError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import { recoverLostRuns } from "../runner/recover.js";
import { writeRunEvent } from "../store/write-run-event.js";
import { findRun } from "./find-run.js";
import { withRun } from "./open-runs.js";
import { openStore } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** What `flow mark` asks: a task of a run, the state, and whether its relatives go too. */
export interface MarkTaskRequest {
  readonly runId: string;
  readonly taskId: string;
  readonly state: MarkState;
  readonly upstream?: boolean;
  readonly downstream?: boolean;
}

/** What marking did: the run before, the instances that changed, and the run's fields after. */
export interface MarkResult {
  /** The run id `request.runId` resolved to. */
  readonly runId: string;
  readonly before: DagRun;
  readonly changed: readonly TaskInstance[];
  readonly run: RunFields;
}

/**
 * Sets a task instance's state by hand (Airflow's mark success / failed / skipped) under the
 * run's lock; the trigger rules decide what follows (core markTasks). A run executed by
 * a live process is a LockError and nothing changes. An unknown task or run is a NotFoundError.
 */
export async function markTask(
  workspace: Workspace,
  loaded: LoadedDag,
  request: MarkTaskRequest,
): Promise<MarkResult> {
  const now = workspace.now();
  const { dag } = loaded;
  const { taskId } = request;
  if (!dag.tasks.has(taskId))
    throw new NotFoundError("task", taskId, [...dag.tasks.keys()].sort(), {
      where: `dag "${dag.id}"`,
    });
  const store = await openStore(workspace);
  await recoverLostRuns(store, loaded, () => now);
  const { run_id: runId } = await findRun(store, dag.id, request.runId, dag.timezone);
  return withRun(store, dag.id, runId, (writer) => {
    const before = writer.run;
    // A task added to the DAG since the run was created has no instance yet: markTasks adds it.
    const event = markTasks(dag, before, {
      taskIds: [taskId],
      state: request.state,
      now,
      ...(request.upstream && { upstream: true }),
      ...(request.downstream && { downstream: true }),
    });
    writeRunEvent(writer, event);
    const { tasks: _tasks, ...unchanged } = before;
    return { runId, before, changed: event.tasks, run: event.run ?? unchanged };
  });
}
