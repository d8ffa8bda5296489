/** The finest date part a header needs so that no two runs share a label. */
export type LabelUnit = "day" | "hour" | "minute" | "second";

/** Short labels for runs' logical dates, one per run, two characters each. */
export interface RunLabels {
  readonly unit: LabelUnit;
  /** `24` (day), `08` (hour), ...: fits a two-column grid cell. */
  readonly labels: readonly string[];
  /** What the label leaves out (`2026-11` above days), printed where it changes. */
  readonly contexts: readonly string[];
}

interface DateParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

const UNITS: readonly LabelUnit[] = ["day", "hour", "minute", "second"];

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Labels for logical dates (ISO strings) as seen in `timezone`: the DAG's own zone, so a daily DAG
 * at local midnight is labelled with its local day rather than the UTC day before. Uses the
 * coarsest unit that tells every run apart: days for a daily DAG, hours for an hourly one, down to
 * seconds for manual runs triggered close together.
 */
export function labelRuns(dates: readonly string[], timezone: string): RunLabels {
  const parts = dates.map((date) => partsOf(date, timezone));
  const unit =
    UNITS.find((u) => new Set(parts.map((p) => keyOf(p, u))).size === parts.length) ?? "second";
  return {
    unit,
    labels: parts.map((p) => (p === null ? "??" : labelOf(p, unit))),
    contexts: parts.map((p) => (p === null ? "" : contextOf(p, unit))),
  };
}

function keyOf(p: DateParts | null, unit: LabelUnit): string {
  if (p === null) return "";
  const day = `${p.year}-${p.month}-${p.day}`;
  if (unit === "day") return day;
  if (unit === "hour") return `${day}T${p.hour}`;
  if (unit === "minute") return `${day}T${p.hour}:${p.minute}`;
  return `${day}T${p.hour}:${p.minute}:${p.second}`;
}

function labelOf(p: DateParts, unit: LabelUnit): string {
  return unit === "day"
    ? p.day
    : unit === "hour"
      ? p.hour
      : unit === "minute"
        ? p.minute
        : p.second;
}

/** The parts above the unit, read left to right with the label: `11-24 08:` then `42`. */
function contextOf(p: DateParts, unit: LabelUnit): string {
  if (unit === "day") return `${p.year}-${p.month}`;
  if (unit === "hour") return `${p.month}-${p.day}`;
  if (unit === "minute") return `${p.month}-${p.day} ${p.hour}:`;
  return `${p.month}-${p.day} ${p.hour}:${p.minute}:`;
}

/**
 * A context as short as it can be, for one with little room: its last part alone (`11`, the
 * month, above days; the day above hours; `08:` above minutes; `42:` above seconds).
 */
export function shortContext(context: string, unit: LabelUnit): string {
  return context.slice(unit === "day" || unit === "hour" ? -2 : -3);
}

/** Calendar parts of an ISO date in a time zone; null for a date that does not parse. */
function partsOf(iso: string, timezone: string): DateParts | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const values: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(date)) values[part.type] = part.value;
  return {
    year: values.year ?? "",
    month: values.month ?? "",
    day: values.day ?? "",
    hour: values.hour ?? "",
    minute: values.minute ?? "",
    second: values.second ?? "",
  };
}

/** One formatter per zone (they are slow to build); an unknown zone falls back to UTC. */
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    const options: Intl.DateTimeFormatOptions = {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    };
    try {
      formatter = new Intl.DateTimeFormat("en-US", { ...options, timeZone: timezone });
    } catch {
      formatter = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
    }
    formatters.set(timezone, formatter);
  }
  return formatter;
}
