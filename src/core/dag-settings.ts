import type { DagSchedule } from "./dag.js";
import { describeValue } from "./describe-value.js";
import { parseZonedDate, timezoneProblem } from "./timetable-zone.js";
import { findNonJson, type Json } from "./json.js";
import { parseTimetable } from "./timetable.js";

/** The DAG-level fields of a Dag, validated, defaults applied. */
export interface DagSettings extends DagSchedule {
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly failFast: boolean;
  readonly params: Readonly<Record<string, Json>>;
}

/** The DAG-level fields as the author wrote them (a subset of DagInput). */
export interface DagSettingsInput {
  description?: unknown;
  tags?: unknown;
  schedule?: unknown;
  start?: unknown;
  end?: unknown;
  timezone?: unknown;
  catchup?: unknown;
  failFast?: unknown;
  maxActiveRuns?: unknown;
  maxActiveTasks?: unknown;
  params?: unknown;
}

/** Airflow's defaults for max_active_runs / max_active_tasks. */
const DEFAULT_MAX_ACTIVE = 16;

/**
 * Validates the DAG-level fields and applies defaults (timezone "UTC", catchup false, 16 active
 * runs and tasks, params {}). Dates become ISO strings in UTC. Returns every problem found.
 */
export function resolveDagSettings(input: DagSettingsInput): {
  settings: DagSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const bad = (what: string, value: unknown): undefined => {
    problems.push(`${what}, got ${describeValue(value)}`);
    return undefined;
  };

  const description =
    input.description === undefined || typeof input.description === "string"
      ? input.description
      : bad("description must be a string", input.description);

  let tags: string[] = [];
  if (Array.isArray(input.tags) && input.tags.every((tag) => typeof tag === "string"))
    tags = [...input.tags];
  else if (input.tags !== undefined) bad("tags must be an array of strings", input.tags);

  let schedule: string | null = null;
  if (typeof input.schedule === "string" && input.schedule.trim() !== "") schedule = input.schedule;
  else if (input.schedule !== undefined && input.schedule !== null) {
    bad(
      'schedule must be a cron expression, a preset such as "@daily", an interval such as "6h", or null',
      input.schedule,
    );
  }

  let timezone = "UTC";
  if (typeof input.timezone === "string" && input.timezone !== "") timezone = input.timezone;
  else if (input.timezone !== undefined)
    bad('timezone must be an IANA time zone name such as "Europe/Paris"', input.timezone);
  // A start or end without an offset is wall time in the DAG's timezone, as Airflow reads a
  // naive start_date in its default timezone: "2026-01-01" in Europe/Paris is Paris midnight.
  // "UTC" is known everywhere: no need to ask Intl, whose first time zone costs tens of ms.
  const zoneProblem = timezone === "UTC" ? undefined : timezoneProblem(timezone);
  const zone = zoneProblem === undefined ? timezone : "UTC";
  const start = isoDate("start", input.start, problems, zone);
  const end = isoDate("end", input.end, problems, zone);
  if (start !== undefined && end !== undefined && end < start) {
    problems.push(`end (${end}) is before start (${start})`);
  }
  if (schedule !== null && start === undefined && input.start === undefined) {
    problems.push(
      `schedule ${JSON.stringify(schedule)} needs a start date (the start of the first data interval)`,
    );
  }

  problems.push(...scheduleProblems(schedule, timezone, zoneProblem));

  let catchup = false;
  if (typeof input.catchup === "boolean") catchup = input.catchup;
  else if (input.catchup !== undefined) bad("catchup must be true or false", input.catchup);

  let failFast = false;
  if (typeof input.failFast === "boolean") failFast = input.failFast;
  else if (input.failFast !== undefined) bad("failFast must be true or false", input.failFast);

  const maxActiveRuns = positiveInteger("maxActiveRuns", input.maxActiveRuns, problems);
  const maxActiveTasks = positiveInteger("maxActiveTasks", input.maxActiveTasks, problems);
  const params = jsonObject(input.params, problems);

  return {
    settings: {
      description,
      tags,
      schedule,
      start,
      end,
      timezone,
      catchup,
      maxActiveRuns,
      maxActiveTasks,
      failFast,
      params,
    },
    problems,
  };
}

// Schedule and time zone checks (cron fields, presets, intervals, IANA names). The start date is
// checked above, so a stand-in start keeps parseTimetable from reporting it twice. Without a
// schedule only the time zone is left to check, and that was done already.
function scheduleProblems(
  schedule: string | null,
  timezone: string,
  zoneProblem: string | undefined,
): readonly string[] {
  if (schedule === null) return zoneProblem === undefined ? [] : [zoneProblem];
  const result = parseTimetable({ schedule, start: new Date(0), timezone });
  return result.ok ? [] : result.problems;
}

function isoDate(
  name: string,
  value: unknown,
  problems: string[],
  timezone: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date =
    value instanceof Date
      ? value
      : typeof value === "string"
        ? parseZonedDate(value, timezone)
        : undefined;
  if (date !== undefined && !Number.isNaN(date.getTime())) return date.toISOString();
  problems.push(
    `${name} must be a Date or an ISO date string such as "2026-01-01" or "2026-01-01T06:00:00Z", got ${describeValue(value)}`,
  );
  return undefined;
}

function positiveInteger(name: string, value: unknown, problems: string[]): number {
  if (value === undefined) return DEFAULT_MAX_ACTIVE;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  problems.push(`${name} must be a positive integer, got ${describeValue(value)}`);
  return DEFAULT_MAX_ACTIVE;
}

function jsonObject(value: unknown, problems: string[]): Record<string, Json> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`params must be an object of JSON values, got ${describeValue(value)}`);
    return {};
  }
  const problem = findNonJson(value, "params");
  if (problem !== undefined) {
    problems.push(`params must be plain JSON: ${problem}`);
    return {};
  }
  return { ...(value as Record<string, Json>) };
}
