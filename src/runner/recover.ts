import { recoveryLostAt } from "../core/lost-run.js";
import { recoverLostRun } from "../core/lost-tries.js";
import type { DagRun } from "../core/run.js";
import { applyRunEvent } from "../core/run-event.js";
import { LockError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { StateStore } from "../store/state-store.js";
import { writeRunEvent } from "../store/write-run-event.js";

/** Runs that say they are running; one of them may have lost its process. */
export function runsClaimingToRun(runs: readonly DagRun[]): DagRun[] {
  return runs.filter((run) => run.state === "running");
}

/**
 * Recovers the runs of a DAG whose flow process died (kill -9, a reboot): a run still marked
 * running whose lock we can take has no live owner, since a live owner keeps refreshing its
 * lock. Each try it left running is a failed try ("process lost"), retried if tries remain, as
 * Airflow treats zombie tasks, ended when the owner was last seen alive (recoveryLostAt); the run
 * then ends if nothing is left to do, or goes back to queued so that `flow run --run`, backfill
 * or the scheduler resumes it. Returns the recovered runs.
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
      // Ended when readers showed them ending, not now (see recoverLostRun for the run's fields).
      const at = recoveryLostAt(current, writer.previousOwner, clock());
      const event = recoverLostRun(loaded.dag, current, at);
      writeRunEvent(writer, event);
      recovered.push(applyRunEvent(current, event));
    } finally {
      await writer.close();
    }
  }
  return recovered;
}
