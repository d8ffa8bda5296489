import { formatRunId } from "./context.js";
import type { Dag } from "./dag.js";
import { manualDataInterval } from "./dag-timetable.js";
import type { Json } from "./json.js";
import type { DagRun } from "./run.js";
import { newRun } from "./transitions.js";

/**
 * A queued manual run of `dag` (Airflow's "trigger DAG"): its data interval is the one holding
 * `date` (ADR 0002), or the manual interval ending at `now` when no date is given (its run id then
 * carries milliseconds, so two triggers in one second differ); `params` override the DAG's key by key.
 */
export function newManualRun(
  dag: Dag,
  request: { readonly date?: Date; readonly params?: Readonly<Record<string, Json>> },
  now: Date,
): DagRun {
  const dateGiven = request.date !== undefined;
  const logicalDate = request.date ?? now;
  const interval = manualDataInterval(dag, logicalDate, dateGiven);
  return newRun({
    dag,
    runId: formatRunId("manual", logicalDate, !dateGiven),
    runType: "manual",
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    queuedAt: now,
    params: { ...request.params },
  });
}
