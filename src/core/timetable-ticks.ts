import { cronWallClockAfter, cronWallClockBefore } from "./timetable-cron.js";
import type { CronTimetable, PeriodicTimetable } from "./timetable.js";
import { instantsAtWallClock, offsetAt, wallClockOf } from "./timetable-zone.js";

// Offset changes are at most 2h and never closer together than this window, so outside it the
// wall clock maps one to one onto instants and the first matching reading is the answer.
const WINDOW_MS = 3 * 3_600_000;

/** The first tick strictly after `instant` (ms). Cron ticks follow DST as CronTimetable says. */
export function tickAfter(timetable: PeriodicTimetable, instant: number): number {
  if (timetable.kind === "interval") {
    const { anchor, everyMs } = timetable;
    return anchor.getTime() + (Math.floor((instant - anchor.getTime()) / everyMs) + 1) * everyMs;
  }
  return cronTickAfter(timetable, instant);
}

/** The last tick strictly before `instant` (ms). */
export function tickBefore(timetable: PeriodicTimetable, instant: number): number {
  if (timetable.kind === "interval") {
    const { anchor, everyMs } = timetable;
    return anchor.getTime() + (Math.ceil((instant - anchor.getTime()) / everyMs) - 1) * everyMs;
  }
  return cronTickBefore(timetable, instant);
}

/** `instant` if it is a tick, else the next tick (Airflow's _align_to_next). Ticks are whole ms. */
export function tickAtOrAfter(timetable: PeriodicTimetable, instant: number): number {
  return tickAfter(timetable, instant - 1);
}

/** `instant` if it is a tick, else the previous tick (Airflow's _align_to_prev). */
export function tickAtOrBefore(timetable: PeriodicTimetable, instant: number): number {
  return tickBefore(timetable, instant + 1);
}

function isNearOffsetChange(instant: number, timezone: string): boolean {
  return offsetAt(instant - WINDOW_MS, timezone) !== offsetAt(instant + WINDOW_MS, timezone);
}

// The instants a matching wall-clock reading stands for: both readings of a fold for schedules
// that run every hour (elapsed time), only the later one otherwise (Airflow: fold=1); a reading
// in a spring gap moves forward by the gap (instantsAtWallClock).
function tickInstants(timetable: CronTimetable, wallClock: number): number[] {
  const instants = instantsAtWallClock(wallClock, timetable.timezone);
  return timetable.everyOccurrence ? instants : instants.slice(-1);
}

// Walks matching readings forward. Near an offset change the order of readings and instants can
// differ (a fold), so it starts a window earlier and keeps looking until a window past the best.
function cronTickAfter(timetable: CronTimetable, instant: number): number {
  const { expression, timezone } = timetable;
  const wall = wallClockOf(instant, timezone);
  let reading = cronWallClockAfter(
    expression,
    isNearOffsetChange(instant, timezone) ? wall - WINDOW_MS : wall,
  );
  let best: number | undefined;
  for (;;) {
    for (const tick of tickInstants(timetable, reading)) {
      if (tick > instant && (best === undefined || tick < best)) best = tick;
    }
    if (
      best !== undefined &&
      (!isNearOffsetChange(best, timezone) || reading >= wallClockOf(best, timezone) + WINDOW_MS)
    ) {
      return best;
    }
    reading = cronWallClockAfter(expression, reading);
  }
}

function cronTickBefore(timetable: CronTimetable, instant: number): number {
  const { expression, timezone } = timetable;
  const wall = wallClockOf(instant, timezone);
  let reading = cronWallClockBefore(
    expression,
    isNearOffsetChange(instant, timezone) ? wall + WINDOW_MS : wall,
  );
  let best: number | undefined;
  for (;;) {
    for (const tick of tickInstants(timetable, reading)) {
      if (tick < instant && (best === undefined || tick > best)) best = tick;
    }
    if (
      best !== undefined &&
      (!isNearOffsetChange(best, timezone) || reading <= wallClockOf(best, timezone) - WINDOW_MS)
    ) {
      return best;
    }
    reading = cronWallClockBefore(expression, reading);
  }
}
