import { upcomingRuns } from "../../../src/core/timetable-next-run.js";
import { parseTimetable, type DataInterval, type Timetable } from "../../../src/core/timetable.js";

/** A timetable from literals; throws when the schedule is invalid (tests pass valid ones). */
export function timetable(schedule: string, start: string, timezone = "UTC"): Timetable {
  const result = parseTimetable({ schedule, start, timezone });
  if (!result.ok || result.timetable === null) throw new Error(`bad test schedule ${schedule}`);
  return result.timetable;
}

/** `2026-01-01T00:00/2026-01-02T00:00`: an interval in UTC to the minute, for readable tables. */
export function span(interval: DataInterval): string {
  return `${interval.start.toISOString().slice(0, 16)}/${interval.end.toISOString().slice(0, 16)}`;
}

/** The first `count` intervals of a schedule from its start, catchup on. */
export function firstIntervals(
  schedule: string,
  start: string,
  count: number,
  timezone = "UTC",
): string[] {
  return upcomingRuns(timetable(schedule, start, timezone), {
    lastAutomatedInterval: null,
    earliest: new Date(start),
    latest: null,
    catchup: true,
    now: new Date(start),
    count,
  }).map((run) => span(run.interval));
}

/** `2021-01-01T00:00/2021-01-02T00:00` back to a DataInterval. */
export function interval(text: string): DataInterval {
  const [start, end] = text.split("/") as [string, string];
  return { start: new Date(`${start}Z`), end: new Date(`${end}Z`) };
}
