import type { DagRun } from "../core/run.js";
import { EXIT, FlowError, NotFoundError } from "../errors.js";
import type { StateStore } from "../store/state-store.js";

/**
 * The run `runId` of the DAG, or its latest run (by logical date) when no id is given. A missing
 * run is a usage error that names the newest run ids.
 */
export async function findRun(
  store: StateStore,
  dagId: string,
  runId: string | undefined,
): Promise<DagRun> {
  if (runId !== undefined) {
    const run = await store.getRun(dagId, runId);
    if (run) return run;
  }
  const runs = await store.listRuns(dagId);
  if (runId === undefined) {
    const latest = runs.at(-1);
    if (latest) return latest;
    throw new FlowError(`dag "${dagId}" has no runs yet`, {
      exitCode: EXIT.usage,
      hint: `start one with: flow run ${dagId}`,
    });
  }
  const latest = runs
    .slice(-5)
    .reverse()
    .map((run) => run.run_id);
  throw new NotFoundError("run", runId, latest, {
    of: `dag "${dagId}"`,
    label: "latest",
    noneKnown: "it has no runs yet",
  });
}
