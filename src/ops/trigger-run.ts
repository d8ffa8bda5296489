import type { Json } from "../core/json.js";
import { newManualRun } from "../core/manual-run.js";
import type { DagRun } from "../core/run.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { StateStore } from "../store/state-store.js";

/** What a manual run is made with: `flow run --date --param`, or the web view's trigger form. */
export interface TriggerRequest {
  /** The logical date; now when absent. */
  readonly date?: Date;
  readonly params?: Readonly<Record<string, Json>>;
}

/**
 * Creates a queued manual run of the DAG (core newManualRun) and stores it. Executing it is the
 * caller's: `flow run` in the foreground, the web view through a detached `flow run --run`.
 */
export async function triggerRun(
  store: StateStore,
  loaded: LoadedDag,
  request: TriggerRequest,
  now: Date,
): Promise<DagRun> {
  const run = newManualRun(loaded.dag, request, now);
  await store.createRun(run);
  return run;
}
