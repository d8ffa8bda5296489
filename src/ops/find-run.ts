import type { DagRun } from "../core/run.js";
import { FlowError, EXIT } from "../errors.js";
import type { StateReader } from "../store/state-store.js";

/**
 * The run `runId` of the DAG, or its latest run (by logical date) when no id is given. A missing
 * run is a usage error that names the newest run ids.
 */
export async function findRun(
  store: StateReader,
  dagId: string,
  runId: string | undefined,
): Promise<DagRun> {
  if (runId !== undefined) {
    const run = await store.getRun(dagId, runId);
    if (run) return run;
  }
  // Refs, not runs: only the run asked for is read, whatever the size of the history.
  const runs = await store.listRunRefs(dagId);
  if (runId === undefined) {
    const latest = runs.at(-1);
    const run = latest && (await store.getRun(dagId, latest.run_id));
    if (run) return run;
    throw new FlowError(`dag "${dagId}" has no runs yet`, {
      exitCode: EXIT.usage,
      hint: `start one with: flow run ${dagId}`,
    });
  }
  const recent = runs
    .slice(-5)
    .reverse()
    .map((run) => `"${run.run_id}"`);
  const known = recent.length === 0 ? "it has no runs yet" : `latest: ${recent.join(", ")}`;
  throw new FlowError(`unknown run "${runId}" of dag "${dagId}" (${known})`, {
    exitCode: EXIT.usage,
  });
}
