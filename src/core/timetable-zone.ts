import { closest } from "./did-you-mean.js";
import { parseIsoDate } from "./iso-date.js";

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

function isUtc(timezone: string): boolean {
  return timezone === "UTC" || timezone === "Etc/UTC";
}

/**
 * Undefined when `timezone` is an IANA name this runtime knows, else a one-line message with a
 * suggestion when one is close: `unknown timezone "Europe/Pariss" (did you mean "Europe/Paris"?)`.
 * Offsets such as "+02:00" are refused: they have no daylight-saving rules, use "Etc/GMT-2".
 */
export function timezoneProblem(timezone: string): string | undefined {
  // Every runtime knows UTC; building its formatter to check costs 4 ms of every `flow run`.
  if (isUtc(timezone)) return undefined;
  if (!/^[+-]/.test(timezone)) {
    try {
      formatterFor(timezone);
      return undefined;
    } catch {
      // RangeError: not a time zone this runtime knows; fall through to the message.
    }
  }
  const guess = closest(timezone, [...Intl.supportedValuesOf("timeZone"), "UTC"]);
  const hint =
    guess === undefined
      ? ' (an IANA name such as "Europe/Paris" or "UTC")'
      : ` (did you mean "${guess}"?)`;
  return `unknown timezone ${JSON.stringify(timezone)}${hint}`;
}

/**
 * The wall-clock reading of `instant` (ms since epoch) in `timezone`, returned as the ms value a
 * UTC clock would show for that reading ("naive" time: 01:30 local is Date.UTC(..., 1, 30)).
 */
export function wallClockOf(instant: number, timezone: string): number {
  if (isUtc(timezone)) return instant;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return (
    Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) +
    ms
  );
}

/** The zone's offset from UTC at `instant`, in ms (+3_600_000 for Paris in winter). */
export function offsetAt(instant: number, timezone: string): number {
  return wallClockOf(instant, timezone) - instant;
}

/**
 * Every instant at which clocks in `timezone` read `wallClock` (a naive ms value), oldest first:
 * one normally, two in an autumn fold. In a spring gap the reading never happens; the one
 * instant returned is the reading taken with the offset before the change, which lands as far
 * after the gap's start as the reading was (Zurich 02:00 on 2023-03-26 -> 03:00 CEST), as
 * Airflow (pendulum) does. Assumes at most one offset change within a day of the reading.
 */
export function instantsAtWallClock(wallClock: number, timezone: string): number[] {
  if (isUtc(timezone)) return [wallClock];
  const before = offsetAt(wallClock - DAY_MS, timezone);
  const after = offsetAt(wallClock + DAY_MS, timezone);
  const found = [...new Set([wallClock - before, wallClock - after])]
    .filter((instant) => wallClockOf(instant, timezone) === wallClock)
    .sort((a, b) => a - b);
  return found.length > 0 ? found : [wallClock - before];
}

/**
 * Parses an ISO date or date-time like parseIsoDate, but reads a value without an offset as wall
 * time in `timezone` ("2026-01-05" in Europe/Paris is 2026-01-04T23:00:00Z). In a fold it takes
 * the later instant, in a gap it moves forward (instantsAtWallClock). Undefined when not ISO.
 */
export function parseZonedDate(value: string, timezone: string): Date | undefined {
  const parsed = parseIsoDate(value);
  if (parsed === undefined) return undefined;
  // A value that already has an offset stops parsing once another "Z" is appended.
  const naive = parseIsoDate(`${value.trim()}Z`) !== undefined;
  if (!naive) return parsed;
  const instants = instantsAtWallClock(parsed.getTime(), timezone);
  return new Date(instants[instants.length - 1]!);
}

/**
 * `date` as wall time in `timezone` with its offset, to the second: `2026-03-29T00:00:00+01:00`
 * (`+00:00` for UTC, as Airflow's `ts`). For `flow next` and other output meant for people.
 */
export function formatInZone(date: Date, timezone: string): string {
  const instant = Math.floor(date.getTime() / 1000) * 1000;
  const wall = wallClockOf(instant, timezone);
  const offsetMinutes = Math.round((wall - instant) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${new Date(wall).toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}
