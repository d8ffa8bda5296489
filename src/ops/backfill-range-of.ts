import { backfillRange, type BackfillRange } from "../core/backfill-range.js";
import type { Dag } from "../core/dag.js";
import { timetableOf } from "../core/dag-timetable.js";
import { parseZonedDate } from "../core/timetable-zone.js";
import { UsageError } from "../errors.js";

/** A date argument: the text as given, and the instant the surface read it as (UTC when naive). */
export interface DateArgument {
  readonly text: string;
  readonly utc: Date;
}

/** The range a backfill was asked for, as `--start` and `--end`. */
export interface BackfillDates {
  readonly start: DateArgument;
  readonly end: DateArgument;
}

/**
 * The intervals of `dag` a backfill of `dates` covers at `now`, and how many were left out and
 * why (data for the surface's notes). A DAG without a schedule, or an end before the start once
 * both are read in the DAG's timezone, is a UsageError. An empty range is returned, not thrown:
 * the surface shows the notes first, then planBackfillToRun or previewBackfill refuses it.
 */
export function backfillRangeOf(dag: Dag, dates: BackfillDates, now: Date): BackfillRange {
  const timetable = timetableOf(dag);
  if (timetable === null) {
    throw new UsageError(
      `dag "${dag.id}" has no schedule: nothing to backfill; use flow run ${dag.id} --date <date>`,
    );
  }
  const start = zoned(dates.start, dag.timezone);
  const end = zoned(dates.end, dag.timezone);
  checkBackfillOrder(start, end, dates);
  return backfillRange(timetable, {
    start,
    end,
    dagStart: dag.start === undefined ? null : new Date(dag.start),
    dagEnd: dag.end === undefined ? null : new Date(dag.end),
    now,
  });
}

/** `--end` before `--start` is a usage error, found before anything is loaded or written. */
export function checkBackfillOrder(start: Date, end: Date, dates: BackfillDates): void {
  if (end < start) {
    throw new UsageError(`--end ${dates.end.text} is before --start ${dates.start.text}`);
  }
}

// A date without an offset means wall time in the DAG's timezone (midnight local for a day).
function zoned(date: DateArgument, timezone: string): Date {
  return parseZonedDate(date.text, timezone) ?? date.utc;
}
