import { formatRunId } from "../core/context.js";
import { manualDataInterval } from "../core/dag-timetable.js";
import type { Json } from "../core/json.js";
import type { DagRun } from "../core/run.js";
import { newRun } from "../core/transitions.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { StateStore } from "../store/state-store.js";

/** What a manual run is made with: `flow run --date --param`, or the web view's trigger form. */
export interface TriggerRequest {
  /** The logical date; now when absent (the run id then carries milliseconds). */
  readonly date?: Date;
  readonly params?: Readonly<Record<string, Json>>;
}

/**
 * Creates a queued manual run of the DAG (Airflow's "trigger DAG"): its data interval is the one
 * holding `date` (ADR 0002), its params the DAG's overridden key by key. Executing it is the
 * caller's: `flow run` in the foreground, the web view through a detached `flow run --run`.
 */
export async function triggerRun(
  store: StateStore,
  loaded: LoadedDag,
  request: TriggerRequest,
  now: Date,
): Promise<DagRun> {
  const { dag } = loaded;
  const dateGiven = request.date !== undefined;
  const logicalDate = request.date ?? now;
  const interval = manualDataInterval(dag, logicalDate, dateGiven);
  const run = newRun({
    dag,
    runId: formatRunId("manual", logicalDate, !dateGiven),
    runType: "manual",
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    queuedAt: now,
    params: { ...request.params },
  });
  await store.createRun(run);
  return run;
}
