import { decideRunOutcome } from "../core/run-outcome.js";
import type { DagRun, TaskInstance } from "../core/run.js";
import { settleRun } from "../core/settle.js";
import { copyTaskTable } from "../core/task-table.js";
import { failTry, finishRun, requeueRun } from "../core/transitions.js";
import { LockError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { StateStore } from "../store/state-store.js";

/** Runs that say they are running; one of them may have lost its process. */
export function runsClaimingToRun(runs: readonly DagRun[]): DagRun[] {
  return runs.filter((run) => run.state === "running");
}

/**
 * Recovers the runs of a DAG whose flow process died (kill -9, a reboot): a run still marked
 * running whose lock we can take has no live owner, since a live owner keeps refreshing its
 * lock. Each try it left running is a failed try ("process lost"), retried if tries remain, as
 * Airflow treats zombie tasks; the run then ends if nothing is left to do, or goes back to
 * queued so that `flow run --run`, backfill or the scheduler resumes it. Returns the recovered runs.
 */
export async function recoverLostRuns(
  store: StateStore,
  loaded: LoadedDag,
  clock: () => Date = () => new Date(),
): Promise<DagRun[]> {
  const recovered: DagRun[] = [];
  for (const run of runsClaimingToRun(await store.listRuns(loaded.dag.id))) {
    let writer;
    try {
      writer = await store.openRun(run.dag_id, run.run_id);
    } catch (error) {
      if (error instanceof LockError) continue; // its owner is alive
      throw error;
    }
    try {
      const current = writer.run;
      if (current.state !== "running") continue;
      recovered.push(
        reapRun(
          loaded,
          current,
          clock(),
          (instance) => writer.saveTask(instance),
          (fields) => writer.saveRun(fields),
        ),
      );
    } finally {
      await writer.close();
    }
  }
  return recovered;
}

// Fails the lost tries of `run` and decides what the run becomes; saves every change.
function reapRun(
  loaded: LoadedDag,
  run: DagRun,
  at: Date,
  saveTask: (instance: TaskInstance) => void,
  saveRun: (fields: Omit<DagRun, "tasks">) => void,
): DagRun {
  const { dag } = loaded;
  const tasks = copyTaskTable(run.tasks);
  const owner = run.owner
    ? `flow process ${run.owner.pid} on ${run.owner.hostname}`
    : "its flow process";
  for (const instance of Object.values(tasks)) {
    const spec = dag.tasks.get(instance.task_id);
    if (!spec || !["running", "queued", "scheduled"].includes(instance.state)) continue;
    const failed = failTry(instance, spec, at, {
      error: `process lost: ${owner} ended while the try was running`,
      retryable: true,
      jitterKey: `${dag.id}#${instance.task_id}#${run.logical_date}#${instance.try_number}`,
    });
    tasks[failed.task_id] = failed;
    saveTask(failed);
  }
  const settlement = settleRun(dag, tasks, { now: at });
  for (const instance of settlement.changed) {
    tasks[instance.task_id] = instance;
    saveTask(instance);
  }
  const { tasks: _old, ...fields } = run;
  const outcome = decideRunOutcome(dag, tasks, {
    ready: settlement.ready.length,
    running: 0,
    waitingForRetry: settlement.waitingForRetry.length,
  });
  const next =
    outcome.state === "running"
      ? requeueRun(fields, `process lost: ${owner} ended; the run resumes where it stopped`)
      : finishRun(fields, at, outcome.state, outcome.state === "failed" ? outcome.reason : null);
  saveRun(next);
  return { ...next, tasks };
}
