import { tickAfter, tickAtOrAfter, tickAtOrBefore, tickBefore } from "./timetable-ticks.js";
import type { DataInterval, PeriodicTimetable, Timetable } from "./timetable.js";

/**
 * What the scheduler knows when it asks for the next run (Airflow's TimeRestriction plus the last
 * automated interval). Airflow's timetables read the clock; here `now` is an argument.
 */
export interface ScheduleQuery {
  /**
   * The interval of the latest scheduled or backfill run (by logical date), or null when there is
   * none. Manual runs never count: they do not move the schedule. An interval that is not on the
   * schedule (the schedule was edited) is aligned back to the previous tick.
   */
  readonly lastAutomatedInterval: DataInterval | null;
  /** The DAG's start: no logical date before it (aligned forward to a tick). Null: no bound. */
  readonly earliest: Date | null;
  /** The DAG's end: no logical date after it (inclusive). Null: no bound. */
  readonly latest: Date | null;
  /** True: every missed interval gets a run. False: only the latest complete interval. */
  readonly catchup: boolean;
  readonly now: Date;
}

/** A run the schedule asks for: its data interval, and the instant from which it is due. */
export interface ScheduledRun {
  readonly interval: DataInterval;
  /** interval.end for periodic schedules, interval.start for `@once`. */
  readonly runAfter: Date;
}

/**
 * The next run to create after `lastAutomatedInterval` (Airflow 2's next_dagrun_info for interval
 * timetables), due or not: compare `runAfter` with `now`.
 * - catchup on: the interval right after the last one, or the first one starting at the first
 *   tick at or after `earliest` (a fixed interval starts exactly at the DAG's start).
 * - catchup off: the same, but never earlier than the latest complete interval (the one that
 *   ended at or before `now`): missed intervals are skipped. Still never before `earliest`, so a
 *   DAG whose start is in the future waits for its first interval.
 * - `@once`: the DAG's start as a zero-length interval, due at start, whatever `catchup`; null
 *   once any automated run exists.
 * Null when the next logical date would be after `latest`.
 * Unlike Airflow, a fixed interval without catchup stays aligned on the DAG's start (Airflow
 * takes `now - interval`, which drifts with the scheduler's clock).
 */
export function nextScheduledRun(timetable: Timetable, query: ScheduleQuery): ScheduledRun | null {
  const { lastAutomatedInterval: last, earliest, latest } = query;
  if (timetable.kind === "once") {
    if (last !== null) return null;
    const at = earliest ?? timetable.at;
    if (latest !== null && at > latest) return null;
    return { interval: { start: at, end: at }, runAfter: at };
  }
  let bound = earliest === null ? null : tickAtOrAfter(timetable, earliest.getTime());
  if (!query.catchup) {
    const latestComplete = latestCompleteStart(timetable, query.now.getTime());
    bound = bound === null ? latestComplete : Math.max(bound, latestComplete);
  }
  let start: number;
  if (last === null) {
    if (bound === null) return null;
    start = bound;
  } else {
    const resumed = tickAtOrBefore(timetable, last.end.getTime());
    start = bound === null ? resumed : Math.max(resumed, bound);
  }
  if (latest !== null && start > latest.getTime()) return null;
  const end = new Date(tickAfter(timetable, start));
  return { interval: { start: new Date(start), end }, runAfter: end };
}

// Start of the latest interval that ended at or before `now`.
function latestCompleteStart(timetable: PeriodicTimetable, now: number): number {
  return tickBefore(timetable, tickAtOrBefore(timetable, now));
}

/**
 * Every run due at `query.now` (runAfter <= now), oldest first, at most `limit`: what one
 * scheduler pass creates. Catchup on: all missed intervals; off: at most the latest complete one.
 * Pass the result's last interval as `lastAutomatedInterval` next time.
 */
export function dueIntervals(
  timetable: Timetable,
  query: ScheduleQuery & { readonly limit?: number },
): ScheduledRun[] {
  const limit = query.limit ?? Infinity;
  const due: ScheduledRun[] = [];
  let last = query.lastAutomatedInterval;
  while (due.length < limit) {
    const run = nextScheduledRun(timetable, { ...query, lastAutomatedInterval: last });
    if (run === null || run.runAfter > query.now) break;
    due.push(run);
    last = run.interval;
  }
  return due;
}

/**
 * The next `count` runs the scheduler will create, oldest first, due or not (for `flow next`):
 * overdue ones first (catchup on), then the future ones. Fewer when the schedule ends.
 */
export function upcomingRuns(
  timetable: Timetable,
  query: ScheduleQuery & { readonly count: number },
): ScheduledRun[] {
  const runs: ScheduledRun[] = [];
  let last = query.lastAutomatedInterval;
  while (runs.length < query.count) {
    const run = nextScheduledRun(timetable, { ...query, lastAutomatedInterval: last });
    if (run === null) break;
    runs.push(run);
    last = run.interval;
  }
  return runs;
}
