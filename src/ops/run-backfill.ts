import type { BackfillStep } from "../core/backfill.js";
import type { DagRun } from "../core/run.js";
import {
  executeBackfill,
  type BackfillObserver,
  type BackfillOutcome,
} from "../runner/backfill.js";
import type { Engine } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import type { BackfillToRun } from "./plan-backfill.js";
import type { Workspace } from "./workspace.js";

/** What executes a backfill's runs, and how it is told to stop. */
export interface BackfillExecution {
  /** Built on the plan's store; its task slots are shared by every run. */
  readonly engine: Engine;
  /** Aborting it stops the running runs (left queued, resumable). */
  readonly signal?: AbortSignal;
  /** Aborting it starts nothing new and lets running tasks end. */
  readonly drain?: AbortSignal;
  readonly observer?: BackfillObserver;
}

/** What a backfill did, and the runs of its range as they are at the end. */
export interface BackfillResult {
  readonly outcome: BackfillOutcome;
  /** The stored runs of the range, oldest first. */
  readonly runs: readonly DagRun[];
  /** A run of the range is failed: the backfill's exit status is 1. */
  readonly failed: boolean;
}

/**
 * Executes the plan's runs (nothing when every step is a skip), then reads the range's runs.
 * Returns normally when stopped by `drain` or `signal`: the caller says it was interrupted.
 */
export async function runBackfill(
  workspace: Workspace,
  plan: BackfillToRun,
  execution: BackfillExecution | null,
): Promise<BackfillResult> {
  const outcome =
    plan.toRun === 0 || execution === null
      ? { runs: [], notStarted: 0 }
      : await executeBackfill({
          engine: execution.engine,
          loaded: plan.loaded,
          steps: plan.steps,
          maxActiveRuns: plan.runsAtOnce,
          reset: plan.reset,
          clock: () => workspace.now(),
          ...(execution.signal && { signal: execution.signal }),
          ...(execution.drain && { drain: execution.drain }),
          ...(execution.observer && { observer: execution.observer }),
        });
  const runs = await runsOfBackfill(plan.store, plan.loaded.dag.id, plan.steps);
  return { outcome, runs, failed: runs.some((run) => run.state === "failed") };
}

/** The stored runs of a backfill plan's intervals, oldest first, as they are now. */
export async function runsOfBackfill(
  store: StateStore,
  dagId: string,
  steps: readonly BackfillStep[],
): Promise<DagRun[]> {
  // By logical date: a run another process created for a date meanwhile (a scheduled twin) is
  // the run of that interval too.
  const dates = new Set(steps.map((step) => step.interval.start.toISOString()));
  return (await store.listRuns(dagId)).filter(
    (run) => run.run_type !== "manual" && dates.has(run.logical_date),
  );
}
