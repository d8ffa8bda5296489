import type { RunType } from "../core/run.js";

/** A run as a listing names it, without reading its files: enough to order and page runs. */
export interface RunRef {
  readonly run_id: string;
  readonly run_type: RunType;
  readonly logical_date: string;
}

// formatRunId's shape (src/core/context.ts): `<run_type>__<ISO instant to the second or
// millisecond>+00:00`. Any other name is read from its file.
const RUN_ID =
  /^(manual|scheduled|backfill)__(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?)\+00:00$/;

/**
 * The ref a run id spells out, or undefined when the id does not have formatRunId's shape (a
 * run made by hand or by an older flow): the caller then reads the run's file. The logical date
 * is in the stored form (`toISOString()`), so refs sort as the runs themselves do. One known
 * gap: `flow run --date` with fractional seconds names its run to the second, so its ref says
 * .000; only the order among runs within that same second could differ.
 */
export function parseRunRef(runId: string): RunRef | undefined {
  const match = RUN_ID.exec(runId);
  if (match === null) return undefined;
  const [, runType, instant] = match as unknown as [string, RunType, string];
  const logicalDate = instant.length === 19 ? `${instant}.000Z` : `${instant}Z`;
  const date = new Date(logicalDate);
  // Refuses what Date would roll over (2026-02-30) rather than guess.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== logicalDate) return undefined;
  return { run_id: runId, run_type: runType, logical_date: logicalDate };
}

/** Orders refs as listings order runs (sortRuns): oldest logical date first, ties by run id. */
export function sortRunRefs<T extends Pick<RunRef, "run_id" | "logical_date">>(refs: T[]): T[] {
  return refs.sort(
    (a, b) => compare(a.logical_date, b.logical_date) || compare(a.run_id, b.run_id),
  );
}

// Plain code-unit order, the same on every machine (localeCompare is not).
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
