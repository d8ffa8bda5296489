import { tickAfter, tickAtOrAfter, tickAtOrBefore, tickBefore } from "./timetable-ticks.js";
import type { DataInterval, Timetable } from "./timetable.js";

/**
 * Backfill's plan: every interval whose logical date lies in [start, end], both inclusive,
 * oldest first. Cron: from the first tick at or after `start`; a fixed interval: ticks aligned on
 * the DAG's start (anchor + k * interval, also before the anchor); `@once`: its one zero-length
 * interval if it lies in the range. Not clamped to the DAG's own start and end: the caller decides.
 * Empty when start > end.
 */
export function intervalsBetween(timetable: Timetable, start: Date, end: Date): DataInterval[] {
  if (timetable.kind === "once") {
    const at = timetable.at;
    return at >= start && at <= end ? [{ start: at, end: at }] : [];
  }
  const intervals: DataInterval[] = [];
  let tick = tickAtOrAfter(timetable, start.getTime());
  while (tick <= end.getTime()) {
    const next = tickAfter(timetable, tick);
    intervals.push({ start: new Date(tick), end: new Date(next) });
    tick = next;
  }
  return intervals;
}

/**
 * Airflow 2's inferred interval for a run triggered at `triggeredAt` with no date given
 * (infer_manual_data_interval): cron -> the latest complete interval, ending at or before
 * `triggeredAt` (@daily at 2022-08-08T01:00 -> [08-07, 08-08); at 08-08T00:00 exactly, the
 * same); fixed interval -> [t - interval, t]; no schedule or `@once` -> [t, t].
 * The run's logical date stays `triggeredAt`. See docs/adr/0002-manual-run-interval.md.
 */
export function manualRunInterval(timetable: Timetable | null, triggeredAt: Date): DataInterval {
  const t = triggeredAt.getTime();
  if (timetable === null || timetable.kind === "once")
    return { start: triggeredAt, end: triggeredAt };
  if (timetable.kind === "interval")
    return { start: new Date(t - timetable.everyMs), end: triggeredAt };
  const end = tickAtOrBefore(timetable, t);
  return { start: new Date(tickBefore(timetable, end)), end: new Date(end) };
}

/**
 * The interval of a manual run for a date the user gave (`flow run <dag> --date D`): the
 * interval that holds D, so D on a tick starts it (`--date 2026-01-05` on @daily processes
 * [01-05, 01-06), as backfill would) and D between ticks gets [tick at or before D, next tick).
 * A fixed interval aligns on the DAG's start; no schedule or `@once` -> [D, D]. The run's logical
 * date stays D. Where this differs from Airflow: docs/adr/0002-manual-run-interval.md.
 */
export function requestedRunInterval(timetable: Timetable | null, date: Date): DataInterval {
  if (timetable === null || timetable.kind === "once") return { start: date, end: date };
  const start = tickAtOrBefore(timetable, date.getTime());
  return { start: new Date(start), end: new Date(tickAfter(timetable, start)) };
}

/**
 * The schedule's intervals just before and just after `interval` (for the run context's
 * prev/next intervals): before ends at interval.start, after starts at interval.end, each
 * aligned to the schedule. Both null for `@once` (and for manual runs Airflow gives the run's
 * own dates: the caller's choice).
 */
export function neighbouringIntervals(
  timetable: Timetable,
  interval: DataInterval,
): { readonly previous: DataInterval | null; readonly next: DataInterval | null } {
  if (timetable.kind === "once") return { previous: null, next: null };
  const prevEnd = tickAtOrAfter(timetable, interval.start.getTime());
  const nextStart = tickAtOrBefore(timetable, interval.end.getTime());
  return {
    previous: { start: new Date(tickBefore(timetable, prevEnd)), end: new Date(prevEnd) },
    next: { start: new Date(nextStart), end: new Date(tickAfter(timetable, nextStart)) },
  };
}
