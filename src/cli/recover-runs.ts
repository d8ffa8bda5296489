import type { DagRun } from "../core/run.js";
import { recoverLostRuns, runsClaimingToRun } from "../runner/recover.js";
import type { StateStore } from "../store/state-store.js";
import { type CliContext, type GlobalOptions, workspaceOf } from "./context.js";
import { loadDag } from "../ops/load-dag.js";

/**
 * Before a command shows or uses the runs of a DAG: recover the runs whose flow process died, so
 * nothing is ever shown "running" forever. Loads the pipelines only when a run claims to run.
 * Returns the runs as they are afterwards.
 */
export async function listRunsRecovered(
  context: CliContext,
  options: GlobalOptions,
  store: StateStore,
  dagId: string,
): Promise<DagRun[]> {
  const runs = await store.listRuns(dagId);
  if (runsClaimingToRun(runs).length === 0) return runs;
  let loaded;
  try {
    ({ loaded } = await loadDag(workspaceOf(context, options), dagId));
  } catch {
    return runs; // the DAG no longer loads: show the runs as stored
  }
  const recovered = await recoverLostRuns(store, loaded);
  return recovered.length === 0 ? runs : store.listRuns(dagId);
}
