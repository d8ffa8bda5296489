import { parseZonedDate } from "../core/timetable-zone.js";
import { UsageError } from "../errors.js";

// How dates typed by a user become instants, for every surface (the CLI's flags, the web view's
// forms), so that a date names the same interval wherever it is typed.

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date flag of a command about one DAG: a date or instant without an offset is wall time in
 * the DAG's timezone (midnight local for a day, as backfill and ADR 0002 read them); one with an
 * offset is that instant. Bad input is parseDate's UsageError.
 */
export function parseDagDate(flag: string, value: string, timezone: string): Date {
  const date = parseDate(flag, value);
  return parseZonedDate(value.trim(), timezone) ?? date;
}

/**
 * A date given by a user (a flag, a form field): `2026-01-01` (midnight UTC) or an ISO 8601
 * instant (`2026-01-01T06:00:00Z`; without an offset it is read as UTC). Anything else is a
 * usage error naming `flag`.
 */
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
