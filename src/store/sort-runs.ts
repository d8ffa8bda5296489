import type { DagRun } from "../core/run.js";

/** Orders runs as listings show them: oldest logical date first, ties by run id. */
export function sortRuns(runs: DagRun[]): DagRun[] {
  return runs.sort(
    (a, b) => compare(a.logical_date, b.logical_date) || compare(a.run_id, b.run_id),
  );
}

// Plain code-unit order, the same on every machine (localeCompare is not).
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
