import type { BackfillRange } from "../core/backfill-range.js";
import { reverseBlockedByPast } from "../core/backfill-reverse.js";
import type { BackfillStep } from "../core/backfill.js";
import { UsageError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import { planBackfillRuns, previewBackfillRuns } from "../runner/backfill.js";
import type { StateStore } from "../store/state-store.js";
import type { BackfillDates } from "./backfill-range-of.js";
import { openStore, openStoreForReading } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** What a backfill is asked to do over its range. */
export interface BackfillRequest {
  readonly dates: BackfillDates;
  /** Runs executing at once; undefined: the DAG's maxActiveRuns. */
  readonly maxActiveRuns?: number;
  /** Newest interval first. */
  readonly reverse?: boolean;
  /** Clear the failed and upstream_failed tasks of failed runs and run them again. */
  readonly rerunFailed?: boolean;
  /** Clear every task of every existing run in the range and run it again. */
  readonly reset?: boolean;
}

/** A backfill's plan: one step per interval, in the order runs start. */
export interface BackfillPlan {
  readonly loaded: LoadedDag;
  readonly steps: readonly BackfillStep[];
  /** Steps that execute a run (all but "skip"). */
  readonly toRun: number;
  readonly runsAtOnce: number;
  readonly reset: boolean;
}

/** A plan about to be executed, with the store it was made against. */
export interface BackfillToRun extends BackfillPlan {
  readonly store: StateStore;
}

/**
 * The plan of a dry run: read from the state dir as it stands (no recovery, nothing written, a
 * missing state dir is not created). Throws what planBackfillToRun would throw before writing.
 */
export async function previewBackfill(
  workspace: Workspace,
  loaded: LoadedDag,
  range: BackfillRange,
  request: BackfillRequest,
): Promise<BackfillPlan> {
  const runsAtOnce = checkPlannable(loaded, range, request);
  const store = await openStoreForReading(workspace);
  const steps = await previewBackfillRuns(store, loaded, range.intervals, stepOptions(request));
  return planOf(loaded, steps, runsAtOnce, request);
}

/**
 * The plan of a backfill about to run: runs whose flow process died are recovered first, and a
 * run another live process executes is a LockError, all before anything is created or cleared.
 */
export async function planBackfillToRun(
  workspace: Workspace,
  loaded: LoadedDag,
  range: BackfillRange,
  request: BackfillRequest,
): Promise<BackfillToRun> {
  const runsAtOnce = checkPlannable(loaded, range, request);
  const store = await openStore(workspace);
  const steps = await planBackfillRuns(store, loaded, range.intervals, {
    ...stepOptions(request),
    clock: () => workspace.now(),
  });
  return { ...planOf(loaded, steps, runsAtOnce, request), store };
}

// An empty range, or a --reverse that a dependsOnPast task would stall, is a UsageError.
// Returns how many runs execute at once.
function checkPlannable(loaded: LoadedDag, range: BackfillRange, request: BackfillRequest): number {
  const { dag } = loaded;
  if (range.intervals.length === 0) {
    throw new UsageError(
      `dag "${dag.id}" has no complete interval with a logical date in [${request.dates.start.text}, ${request.dates.end.text}] (schedule ${dag.schedule}, ${dag.timezone})`,
      { hint: `flow next ${dag.id} shows the schedule's next runs` },
    );
  }
  const runsAtOnce = request.maxActiveRuns ?? dag.maxActiveRuns;
  const blocked = reverseBlockedByPast(dag, {
    reverse: request.reverse ?? false,
    intervals: range.intervals.length,
    runsAtOnce,
  });
  if (blocked) {
    throw new UsageError(
      `--reverse cannot backfill dag "${dag.id}": task "${blocked.taskId}" depends on past, so each run waits for the one before it`,
      {
        hint: `drop --reverse, or allow every run at once (--max-active-runs ${blocked.intervals})`,
      },
    );
  }
  return runsAtOnce;
}

function stepOptions(request: BackfillRequest) {
  return {
    rerunFailed: request.rerunFailed ?? false,
    reset: request.reset ?? false,
    reverse: request.reverse ?? false,
  };
}

function planOf(
  loaded: LoadedDag,
  steps: readonly BackfillStep[],
  runsAtOnce: number,
  request: BackfillRequest,
): BackfillPlan {
  const toRun = steps.filter((step) => step.action !== "skip").length;
  return { loaded, steps, toRun, runsAtOnce, reset: request.reset ?? false };
}
