import type { DagRun, RunType } from "./run.js";
import { formatRunId } from "./context.js";

/** A data interval as backfill sees it: [start, end). */
export interface BackfillInterval {
  readonly start: Date;
  readonly end: Date;
}

/** What backfill does for one interval. */
export type BackfillAction =
  /** No run for the interval yet: create a backfill run. */
  | "create"
  /** A run exists and is left alone (success, or failed without --rerun-failed). */
  | "skip"
  /** A finished run is cleared (failed tasks, or all with --reset) and run again. */
  | "rerun"
  /** A run exists that has not finished (queued, interrupted): carry on from where it stands. */
  | "resume";

export interface BackfillStep {
  readonly interval: BackfillInterval;
  readonly runId: string;
  readonly action: BackfillAction;
  /** State of the existing run, when there is one. */
  readonly existingState: DagRun["state"] | null;
}

export interface BackfillOptions {
  /** Clear the failed and upstream_failed tasks of failed runs and run them again. */
  readonly rerunFailed?: boolean;
  /** Clear every task of every existing run in the range and run it again. */
  readonly reset?: boolean;
  /** Newest interval first. */
  readonly reverse?: boolean;
}

const AUTOMATED: ReadonlySet<RunType> = new Set(["scheduled", "backfill"]);

/**
 * The backfill plan: one step per interval, oldest first (newest with `reverse`). An interval's
 * existing run is a scheduled or backfill run with its logical date (manual runs do not count, as
 * in Airflow); a successful one is skipped, a failed one skipped unless `rerunFailed` or `reset`,
 * an unfinished one resumed. Planning reads nothing and writes nothing: `--dry-run` prints it.
 */
export function planBackfill(
  intervals: readonly BackfillInterval[],
  existingRuns: readonly DagRun[],
  options: BackfillOptions = {},
): BackfillStep[] {
  const byDate = new Map<string, DagRun>();
  for (const run of existingRuns) {
    if (AUTOMATED.has(run.run_type)) byDate.set(run.logical_date, run);
  }
  const steps = intervals.map((interval): BackfillStep => {
    const existing = byDate.get(interval.start.toISOString());
    if (!existing) {
      return {
        interval,
        runId: formatRunId("backfill", interval.start),
        action: "create",
        existingState: null,
      };
    }
    const state = existing.state;
    let action: BackfillAction;
    if (state === "queued" || state === "running") action = "resume";
    else if (options.reset) action = "rerun";
    else if (state === "failed" && options.rerunFailed) action = "rerun";
    else action = "skip";
    return { interval, runId: existing.run_id, action, existingState: state };
  });
  return options.reverse ? steps.reverse() : steps;
}
