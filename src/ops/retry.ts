import { clearTasks, selectTasksToClear } from "../core/clear.js";
import { applyRunEvent, type RunEvent } from "../core/run-event.js";
import type { DagRun, TaskInstance } from "../core/run.js";
import type { Dag } from "../core/dag.js";
import { isFailedState, isRunFinished } from "../core/states.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter } from "../store/state-store.js";
import { writeRunEvent } from "../store/write-run-event.js";
import { recoverLostRuns } from "../runner/recover.js";
import { findRun } from "./find-run.js";
import { withRun } from "./open-runs.js";
import { openStore } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** What preparing a retry did: the run to execute and what was cleared in it, or why not. */
export type RetryPreparation =
  | { readonly status: "no_failed_run" }
  | { readonly status: "nothing_failed"; readonly run: DagRun }
  | {
      readonly status: "ready";
      readonly run: DagRun;
      /** The instances cleared, as they were before (empty: the run only resumes). */
      readonly cleared: readonly TaskInstance[];
    };

/**
 * `flow retry`'s first half: restart a run from the point of failure. Recovers runs whose process
 * died, picks `runId` (or the latest failed run), and under its lock clears its failed and
 * upstream_failed task instances (Airflow's `clear --only-failed`), putting it back to queued.
 * What succeeded is not run again and its results stay readable. A run that failed only in a
 * task since removed from the DAG goes back to queued with nothing cleared: executed, it ends as
 * the tasks left decide. The caller then executes it.
 */
export async function prepareRetry(
  workspace: Workspace,
  loaded: LoadedDag,
  runId: string | undefined,
): Promise<RetryPreparation> {
  const { dag } = loaded;
  const now = workspace.now();
  const store = await openStore(workspace);
  await recoverLostRuns(store, loaded, () => now);
  const target =
    runId !== undefined
      ? await findRun(store, dag.id, runId, dag.timezone)
      : (await store.listRuns(dag.id)).filter((run) => run.state === "failed").at(-1);
  if (target === undefined) return { status: "no_failed_run" };
  return withRun(store, dag.id, target.run_id, (writer) => {
    const run = writer.run;
    const ids = selectTasksToClear(dag, run, { onlyFailed: true });
    if (ids.length === 0 && isRunFinished(run.state) && !failedInRemovedTask(dag, run))
      return { status: "nothing_failed", run };
    const cleared = ids.map((id) => run.tasks[id]!);
    return {
      status: "ready",
      run:
        ids.length === 0 && !isRunFinished(run.state)
          ? run
          : clearAndWrite(writer, clearTasks(dag, run, ids, now)),
      cleared,
    };
  });
}

// Whether `run` failed in a task since removed from `dag`: resumed with nothing cleared, it ends
// as the tasks left decide (the removed one becomes `removed`, see core/run-integrity.ts).
function failedInRemovedTask(dag: Dag, run: DagRun): boolean {
  return Object.values(run.tasks).some(
    (instance) => !dag.tasks.has(instance.task_id) && isFailedState(instance.state),
  );
}

// Writes a clear to the run `writer` holds and returns the run as it is afterwards.
function clearAndWrite(writer: RunWriter, event: RunEvent): DagRun {
  writeRunEvent(writer, event);
  return applyRunEvent(writer.run, event);
}
