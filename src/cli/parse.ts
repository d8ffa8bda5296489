import { parseZonedDate } from "../core/timetable-zone.js";
import { parseDuration } from "../core/duration.js";
import type { Json } from "../core/json.js";
import { UsageError } from "../errors.js";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date given on the command line: `2026-01-01` (midnight UTC) or an ISO 8601 instant
 * (`2026-01-01T06:00:00Z`; without an offset it is read as UTC). Anything else is a usage error.
 */
/**
 * A date flag of a command about one DAG: a date or instant without an offset is wall time in
 * the DAG's timezone (midnight local for a day, as backfill and ADR 0002 read them); one with an
 * offset is that instant. Bad input is parseDate's UsageError.
 */
export function parseDagDate(flag: string, value: string, timezone: string): Date {
  const date = parseDate(flag, value);
  return parseZonedDate(value.trim(), timezone) ?? date;
}

export function parseDate(flag: string, value: string): Date {
  const text = value.trim();
  if (DATE_ONLY.test(text) || ISO_INSTANT.test(text)) {
    const normalised = DATE_ONLY.test(text)
      ? `${text}T00:00:00Z`
      : /(Z|[+-]\d{2}:?\d{2})$/.test(text)
        ? text.replace(" ", "T")
        : `${text.replace(" ", "T")}Z`;
    const date = new Date(normalised);
    // Date.parse rolls 2026-02-30 over to March: reject dates that do not round-trip.
    if (
      !Number.isNaN(date.getTime()) &&
      date.toISOString().slice(0, 10) === normalisedDay(normalised, date)
    ) {
      return date;
    }
  }
  throw new UsageError(`${flag} "${value}" is not a valid date`, {
    hint: "use YYYY-MM-DD or an ISO 8601 instant such as 2026-01-01T06:00:00Z",
  });
}

function normalisedDay(text: string, date: Date): string {
  // With an offset the UTC day may differ from the written one; only check plain days.
  return /T00:00:00Z$/.test(text) ? text.slice(0, 10) : date.toISOString().slice(0, 10);
}

/** `key=value` pairs; a value that parses as JSON is taken as JSON (`n=3`, `flags=[1,2]`), else as a string. */
export function parseParams(pairs: readonly string[]): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const pair of pairs) {
    const index = pair.indexOf("=");
    if (index <= 0) throw new UsageError(`--param "${pair}" is not key=value`);
    const raw = pair.slice(index + 1);
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      value = raw;
    }
    params[pair.slice(0, index)] = value;
  }
  return params;
}

/** A whole number >= 1 given to `flag`. */
export function parsePositiveInt(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a whole number >= 1, got "${value}"`);
  return number;
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A duration flag (`--grace`, `scheduler stop --timeout`): a plain number is seconds (`30`, `0`,
 * `1.5`), anything else needs units (`500ms`, `30s`, `2m`, `1h30m`). Undefined stays undefined,
 * so an optional flag's absence passes through.
 */
export function parseGrace(value: string, flag?: string): number;
export function parseGrace(value: string | undefined, flag?: string): number | undefined;
export function parseGrace(value: string | undefined, flag = "--grace"): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (ms === undefined) throw new UsageError(`${flag} "${value}" is not a duration (e.g. 30s, 2m)`);
  return ms;
}

/** The `--grace` option, shared by the commands that execute runs in the foreground. */
export const GRACE_OPTION = [
  "--grace <duration>",
  "after Ctrl-C or SIGTERM, how long running tasks may finish before they are stopped; 0 stops them at once (default: 30s)",
] as const;
