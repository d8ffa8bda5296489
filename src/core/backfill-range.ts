import type { DataInterval, Timetable } from "./timetable.js";
import { intervalsBetween } from "./timetable-intervals.js";

/** What `flow backfill --start --end` asks for, and the limits it must respect. */
export interface BackfillRangeRequest {
  /** First logical date asked for (inclusive). */
  readonly start: Date;
  /** Last logical date asked for (inclusive). */
  readonly end: Date;
  /** The DAG's own start and end: logical dates outside [dagStart, dagEnd] are left out. */
  readonly dagStart: Date | null;
  readonly dagEnd: Date | null;
  /** Intervals that have not ended at `now` are left out: their data is not complete yet. */
  readonly now: Date;
}

/** The intervals a backfill covers, and how many of the requested ones were left out and why. */
export interface BackfillRange {
  /** Oldest first. */
  readonly intervals: readonly DataInterval[];
  readonly beforeDagStart: number;
  readonly afterDagEnd: number;
  readonly notEnded: number;
}

/**
 * The data intervals whose logical date lies in [start, end] (both inclusive, aligned to the
 * schedule, as Airflow's backfill), clamped to the DAG's start and end, and without the intervals
 * that have not ended at `now` (Airflow 3 drops those too: a run is due once its interval ends).
 * The left-out intervals are counted so that the command can say so. Pure: `now` is an argument.
 */
export function backfillRange(timetable: Timetable, request: BackfillRangeRequest): BackfillRange {
  const intervals: DataInterval[] = [];
  let beforeDagStart = 0;
  let afterDagEnd = 0;
  let notEnded = 0;
  for (const interval of intervalsBetween(timetable, request.start, request.end)) {
    if (request.dagStart !== null && interval.start < request.dagStart) beforeDagStart++;
    else if (request.dagEnd !== null && interval.start > request.dagEnd) afterDagEnd++;
    else if (interval.end > request.now) notEnded++;
    else intervals.push(interval);
  }
  return { intervals, beforeDagStart, afterDagEnd, notEnded };
}
