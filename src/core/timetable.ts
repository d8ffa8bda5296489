import { parseDuration } from "./duration.js";
import { parseIsoDate } from "./iso-date.js";
import { parseCron } from "./timetable-cron.js";
import { timezoneProblem } from "./timetable-zone.js";

/** A data interval [start, end): a run with this interval has logical date = start. */
export interface DataInterval {
  readonly start: Date;
  readonly end: Date;
}

/**
 * A cron schedule (presets are written out as cron). Ticks are wall-clock times in `timezone`.
 * `everyOccurrence` is true when the hour field covers every hour: such schedules step by
 * elapsed time, so both readings of an autumn fold are ticks; other schedules take each wall time
 * once (the later reading in a fold), as Airflow does.
 */
export interface CronTimetable {
  readonly kind: "cron";
  /** The schedule as the author wrote it (`@daily`, `0 6 * * 1-5`). */
  readonly schedule: string;
  /** Five fields: minute hour day-of-month month day-of-week. */
  readonly expression: string;
  readonly timezone: string;
  readonly everyOccurrence: boolean;
}

/** A fixed period (`6h`), anchored on the DAG's start, in elapsed time: DST does not move it. */
export interface FixedIntervalTimetable {
  readonly kind: "interval";
  readonly schedule: string;
  readonly everyMs: number;
  /** The DAG's start: ticks are anchor + k * everyMs for every integer k. */
  readonly anchor: Date;
  readonly timezone: string;
}

/** `@once`: one run whose logical date is the DAG's start, with a zero-length interval. */
export interface OnceTimetable {
  readonly kind: "once";
  readonly schedule: "@once";
  readonly at: Date;
  readonly timezone: string;
}

export type Timetable = CronTimetable | FixedIntervalTimetable | OnceTimetable;

/** A timetable that repeats: every kind but `@once`. */
export type PeriodicTimetable = CronTimetable | FixedIntervalTimetable;

/** The DAG fields a timetable is built from (DagSchedule has them; `start` is an ISO string). */
export interface TimetableSettings {
  readonly schedule: string | null;
  readonly start: string | Date | undefined;
  readonly timezone: string;
}

export type TimetableResult =
  | { readonly ok: true; readonly timetable: Timetable | null }
  | { readonly ok: false; readonly problems: readonly string[] };

// Airflow's cron_presets; @midnight and @annually are croniter's aliases.
const PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@quarterly": "0 0 1 */3 *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

const SHAPES =
  'a 5-field cron expression ("minute hour day-of-month month day-of-week"), a preset such as "@daily", or an interval such as "6h"';

/**
 * Reads a DAG's schedule. `schedule` null means manual runs only: the result is ok with a null
 * timetable. A string is a preset (`@once`, `@hourly` ... `@yearly`, `@annually`, `@midnight`),
 * a fixed interval (`30m`, `6h`, `1d`, `1h30m`: whole seconds, at least 1s; anchored on start and
 * counted in elapsed time, so `1d` is 24h even across DST, unlike `@daily`), or else a 5-field
 * cron expression evaluated in `timezone`. Every problem is returned, each one line, e.g.
 * `invalid schedule "61 * * * *": minute field "61": ...`. `start` is required (and checked)
 * when `schedule` is not null; an unknown timezone is a problem even without a schedule.
 */
export function parseTimetable(settings: TimetableSettings): TimetableResult {
  const { schedule, timezone } = settings;
  const problems: string[] = [];
  const zoneProblem = timezoneProblem(timezone);
  if (zoneProblem !== undefined) problems.push(zoneProblem);
  if (schedule === null)
    return problems.length > 0 ? { ok: false, problems } : { ok: true, timetable: null };

  const text = schedule.trim();
  const start = toDate(settings.start);
  if (start === undefined) {
    problems.push(
      `schedule ${JSON.stringify(schedule)} needs a valid start date (the start of the first data interval)`,
    );
  }

  const shape = classify(text, schedule);
  if ("problem" in shape) problems.push(shape.problem);
  if (problems.length > 0 || "problem" in shape || start === undefined)
    return { ok: false, problems };

  switch (shape.kind) {
    case "once":
      return { ok: true, timetable: { kind: "once", schedule: "@once", at: start, timezone } };
    case "interval":
      return {
        ok: true,
        timetable: { kind: "interval", schedule, everyMs: shape.everyMs, anchor: start, timezone },
      };
    case "cron":
      return {
        ok: true,
        timetable: {
          kind: "cron",
          schedule,
          expression: shape.expression,
          timezone,
          everyOccurrence: shape.everyOccurrence,
        },
      };
  }
}

type Shape =
  | { kind: "once" }
  | { kind: "interval"; everyMs: number }
  | { kind: "cron"; expression: string; everyOccurrence: boolean }
  | { problem: string };

function classify(text: string, schedule: string): Shape {
  const quoted = JSON.stringify(schedule);
  if (text.toLowerCase() === "@once") return { kind: "once" };
  if (text.startsWith("@")) {
    const expression = PRESETS[text.toLowerCase()];
    if (expression === undefined) {
      const names = ["@once", ...Object.keys(PRESETS)].join(", ");
      return { problem: `invalid schedule ${quoted}: unknown preset (use one of ${names})` };
    }
    return cronShape(expression, quoted);
  }
  if (/^\d/.test(text) && !/\s/.test(text)) {
    const everyMs = parseDuration(text);
    if (everyMs !== undefined) {
      if (everyMs < 1_000 || everyMs % 1_000 !== 0) {
        return {
          problem: `invalid schedule ${quoted}: an interval must be a whole number of seconds, at least "1s" (run ids count seconds)`,
        };
      }
      return { kind: "interval", everyMs };
    }
  }
  return cronShape(text, quoted);
}

function cronShape(expression: string, quoted: string): Shape {
  const parsed = parseCron(expression);
  if ("problem" in parsed) {
    const hint = parsed.problem.startsWith("has ") ? ` (expected ${SHAPES})` : "";
    return { problem: `invalid schedule ${quoted}: ${parsed.problem}${hint}` };
  }
  return { kind: "cron", expression: parsed.expression, everyOccurrence: parsed.everyOccurrence };
}

function toDate(value: string | Date | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : parseIsoDate(value);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}
