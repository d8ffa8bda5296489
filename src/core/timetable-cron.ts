import type { CronExpression } from "cron-parser";
import { cronExpressionParser } from "./cron-parser-module.js";

const FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
const WILDCARDS = ["*", "*", "*", "*", "*"];

export type CronParse =
  { readonly expression: string; readonly everyOccurrence: boolean } | { readonly problem: string };

/**
 * Checks a 5-field cron expression with cron-parser and names the field at fault:
 * `minute field "61": Constraint error, got value 61 expected range 0-59`. Refuses six fields
 * (seconds) and `H` (cron-parser's hashed values, random without a seed). `everyOccurrence` is
 * true when the hour field covers all 24 hours (Airflow's "runs at least hourly" test).
 */
export function parseCron(text: string): CronParse {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5)
    return { problem: `has ${fields.length} field${fields.length === 1 ? "" : "s"}, not 5` };
  for (const [i, field] of fields.entries()) {
    const name = FIELD_NAMES[i]!;
    if (/(^|[^a-z])h([^a-z]|$)/i.test(field))
      return { problem: `${name} field "${field}": "H" (hashed values) is not supported` };
    const alone = WILDCARDS.map((wildcard, j) => (j === i ? field : wildcard)).join(" ");
    const problem = cronError(alone);
    if (problem !== undefined) return { problem: `${name} field "${field}": ${problem}` };
  }
  const expression = fields.join(" ");
  const problem = cronError(expression);
  if (problem !== undefined) return { problem };
  return { expression, everyOccurrence: compiled(expression).fields.hour.values.length === 24 };
}

// cron-parser's verdict per expression, kept: parseCron checks six expressions per schedule,
// and a folder of pipelines repeats the same few ("@daily" in every file); the verdict depends
// on the text alone.
const verdicts = new Map<string, string | undefined>();

function cronError(expression: string): string | undefined {
  if (verdicts.has(expression)) return verdicts.get(expression);
  // Loaded outside the try: a library that fails to load is a bug, not a bad cron.
  const parser = cronExpressionParser();
  let problem: string | undefined;
  try {
    parser.parse(expression, { tz: "UTC", currentDate: 0 }).next();
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  verdicts.set(expression, problem);
  return problem;
}

// One parsed expression per text, reset before each use: parsing costs more than a step, and
// nothing here is concurrent, so the shared mutable iterator is safe.
const cache = new Map<string, CronExpression>();

function compiled(expression: string): CronExpression {
  let parsed = cache.get(expression);
  if (parsed === undefined) {
    parsed = cronExpressionParser().parse(expression, { tz: "UTC", currentDate: 0 });
    cache.set(expression, parsed);
  }
  return parsed;
}

/**
 * The first wall-clock time strictly after `wallClock` that matches `expression`. Both are
 * "naive" ms values (a reading on a clock, computed as if in UTC, where no DST exists), so
 * cron-parser's own DST handling is never involved: its prev() loops at some gaps.
 * Day-of-month and day-of-week both restricted match either (`0 0 15 * 1`: the 15th and Mondays).
 */
export function cronWallClockAfter(expression: string, wallClock: number): number {
  const parsed = compiled(expression);
  parsed.reset(new Date(wallClock));
  return parsed.next().getTime();
}

/** The last wall-clock time strictly before `wallClock` that matches `expression` (naive ms). */
export function cronWallClockBefore(expression: string, wallClock: number): number {
  const parsed = compiled(expression);
  parsed.reset(new Date(wallClock));
  return parsed.prev().getTime();
}
