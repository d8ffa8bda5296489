import { formatRunId, type NeighbourIntervals } from "./context.js";
import type { Dag } from "./dag.js";
import type { Json } from "./json.js";
import type { DagRun, RunType } from "./run.js";
import { parseTimetable, type DataInterval, type Timetable } from "./timetable.js";
import {
  manualRunInterval,
  neighbouringIntervals,
  requestedRunInterval,
} from "./timetable-intervals.js";
import { newRun } from "./transitions.js";

const cache = new WeakMap<Dag, Timetable | null>();

/**
 * The timetable of a validated DAG, or null when it only runs when triggered. buildDag already
 * rejected invalid schedules, so this never fails for a Dag it returned; parsed once per Dag.
 */
export function timetableOf(dag: Dag): Timetable | null {
  const cached = cache.get(dag);
  if (cached !== undefined) return cached;
  const result = parseTimetable(dag);
  if (!result.ok) throw new Error(`dag "${dag.id}": ${result.problems.join("; ")}`);
  cache.set(dag, result.timetable);
  return result.timetable;
}

/**
 * A new scheduled or backfill run for one data interval: run id `<type>__<logical date>`,
 * logical date = interval start (Airflow's interval semantics).
 */
export function newIntervalRun(
  dag: Dag,
  interval: DataInterval,
  runType: Exclude<RunType, "manual">,
  queuedAt: Date,
  params: Record<string, Json> = {},
): DagRun {
  return newRun({
    dag,
    runId: formatRunId(runType, interval.start),
    runType,
    logicalDate: interval.start,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    queuedAt,
    params,
  });
}

/** The data interval of a stored run. */
export function intervalOf(
  run: Pick<DagRun, "data_interval_start" | "data_interval_end">,
): DataInterval {
  return { start: new Date(run.data_interval_start), end: new Date(run.data_interval_end) };
}

/**
 * The interval of the newest scheduled or backfill run (by logical date), or null: what the
 * schedule continues from. Manual runs never move the schedule (Airflow).
 */
export function lastAutomatedInterval(runs: readonly DagRun[]): DataInterval | null {
  let last: DagRun | undefined;
  for (const run of runs) {
    if (run.run_type === "manual") continue;
    if (!last || run.logical_date > last.logical_date) last = run;
  }
  return last ? intervalOf(last) : null;
}

/**
 * The data interval of a manual run (docs/adr/0002-manual-run-interval.md): with a date the user
 * asked for (`--date`), the interval that holds it, so `--date 2026-01-05` on `@daily` processes
 * that day; without one (triggered now), Airflow's inference: the latest complete interval.
 */
export function manualDataInterval(dag: Dag, logicalDate: Date, requested: boolean): DataInterval {
  const timetable = timetableOf(dag);
  return requested
    ? requestedRunInterval(timetable, logicalDate)
    : manualRunInterval(timetable, logicalDate);
}

/** The data intervals before and after `run`'s on the DAG's schedule (none without one). */
export function neighboursOf(
  dag: Dag,
  run: Pick<DagRun, "data_interval_start" | "data_interval_end">,
): NeighbourIntervals {
  const timetable = timetableOf(dag);
  if (timetable === null) return { previous: null, next: null };
  return neighbouringIntervals(timetable, intervalOf(run));
}
