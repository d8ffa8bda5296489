import type { Json } from "../core/json.js";
import { newManualRun } from "../core/manual-run.js";
import type { DagRun } from "../core/run.js";
import { RunExistsError, UsageError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import { openStore } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/**
 * The logical date asked for has its run already: bad input on the command line (exit 2), a
 * conflict for the web view (409, as Airflow's REST API answers a dag run that exists).
 */
export class DateTakenError extends UsageError {}

/** What a manual run is made with: `flow run --date --param`, or the web view's trigger form. */
export interface TriggerRequest {
  /** The logical date; now when absent. */
  readonly date?: Date;
  readonly params?: Readonly<Record<string, Json>>;
}

/**
 * Creates a queued manual run of the DAG (core newManualRun) and stores it; for a DAG with a
 * dependsOnPast task, only once its runs (the previous one among them) can be read. Executing it
 * is the caller's: `flow run` in the foreground, the web view through a detached
 * `flow run --run`.
 */
export async function triggerRun(
  workspace: Workspace,
  loaded: LoadedDag,
  request: TriggerRequest,
): Promise<DagRun> {
  const run = newManualRun(loaded.dag, request, workspace.now());
  const store = await openStore(workspace);
  // A dependsOnPast task reads the DAG's runs as the run begins: one that cannot be read stops
  // the command here, before it creates a run it could not execute.
  if ([...loaded.dag.tasks.values()].some((spec) => spec.dependsOnPast))
    await store.listRuns(run.dag_id);
  try {
    await store.createRun(run);
  } catch (error) {
    if (!(error instanceof RunExistsError && error.existingRunId === run.run_id)) throw error;
    // Not a broken state dir (exit 4): the user asked for a date that has its run already.
    const { dag_id: dagId, run_id: runId } = run;
    throw new DateTakenError(error.message, {
      cause: error,
      hint: `flow run ${dagId} --run ${runId} resumes it, flow clear ${dagId} --run ${runId} runs it again, or pick another --date`,
    });
  }
  return run;
}
