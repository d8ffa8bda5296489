import { setMaxListeners } from "node:events";
import { planBackfill, type BackfillOptions, type BackfillStep } from "../core/backfill.js";
import { clearTasks, selectTasksToClear } from "../core/clear.js";
import { newIntervalRun } from "../core/dag-timetable.js";
import type { DagRun } from "../core/run.js";
import type { DataInterval } from "../core/timetable.js";
import { ownerExited } from "../store/run-access-errors.js";
import { LockError, RunExistsError } from "../errors.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter, StateReader, StateStore } from "../store/state-store.js";
import { writeRunEvent } from "../store/write-run-event.js";
import type { Engine } from "./engine.js";
import { recoverLostRuns } from "./recover.js";

/** What a backfill tells the outside while it goes (progress bar, log lines). */
export interface BackfillObserver {
  /** The run was created or cleared (when the step asks) and starts executing. */
  runStarted?(step: BackfillStep, at: Date): void;
  /** The run ended (success or failed), or was interrupted (back to queued). */
  runFinished?(step: BackfillStep, run: DagRun, at: Date): void;
}

/**
 * The plan of a backfill against the stored runs. Runs of the DAG whose flow process died are
 * recovered first (so a killed backfill resumes instead of showing "running" forever). A run
 * still running afterwards belongs to another live flow process: that is a LockError, thrown
 * before anything is created or cleared.
 */
export async function planBackfillRuns(
  store: StateStore,
  loaded: LoadedDag,
  intervals: readonly DataInterval[],
  options: BackfillOptions & { readonly clock: () => Date },
): Promise<BackfillStep[]> {
  await recoverLostRuns(store, loaded, options.clock);
  const runs = await store.listRuns(loaded.dag.id);
  const steps = planBackfill(intervals, runs, options);
  await refuseBusy(store, steps, runs, () => true);
  return steps;
}

/**
 * The plan a backfill would make now, read without writing or locking (a dry run): what
 * planBackfillRuns would do, and the same LockError when a live flow process executes a run of
 * the range. A run whose process died shows as it is stored; the real backfill recovers it first.
 */
export async function previewBackfillRuns(
  reader: StateReader,
  loaded: LoadedDag,
  intervals: readonly DataInterval[],
  options: BackfillOptions,
): Promise<BackfillStep[]> {
  const runs = await reader.listRuns(loaded.dag.id);
  const steps = planBackfill(intervals, runs, options);
  const live = new Set<string>();
  for (const step of steps)
    if (step.existingState === "running" && (await reader.hasLiveOwner(loaded.dag.id, step.runId)))
      live.add(step.runId);
  await refuseBusy(reader, steps, runs, (runId) => live.has(runId));
  return steps;
}

// The LockError for the first running run of the plan that `isLive` says a live process holds,
// named from its lock's owner file (or the run's owner field when the lock names nobody).
async function refuseBusy(
  reader: StateReader,
  steps: readonly BackfillStep[],
  runs: readonly DagRun[],
  isLive: (runId: string) => boolean,
): Promise<void> {
  const busy = steps.find((step) => step.existingState === "running" && isLive(step.runId));
  if (!busy) return;
  const run = runs.find((candidate) => candidate.run_id === busy.runId);
  const holder = run
    ? await reader.inspectOwner(run.dag_id, run.run_id).then(
        (seen) => seen.owner,
        () => undefined,
      )
    : undefined;
  const owner = holder ?? run?.owner;
  if (ownerExited(owner))
    throw new LockError(
      `run "${busy.runId}" is still locked by flow process ${owner!.pid}, which has exited`,
      { hint: "its lock goes stale seconds after its last refresh: run the backfill again then" },
    );
  const who = owner ? `flow process ${owner.pid} on ${owner.hostname}` : "another flow process";
  throw new LockError(`run "${busy.runId}" is being executed by ${who}`, {
    hint: "wait for it to finish (or stop it), then run the backfill again",
  });
}

export interface ExecuteBackfillOptions {
  readonly engine: Engine;
  readonly loaded: LoadedDag;
  /** The plan, in the order runs should start; skipped steps are ignored. */
  readonly steps: readonly BackfillStep[];
  /** Runs executing at once. */
  readonly maxActiveRuns: number;
  /** A rerun clears every task (`--reset`) instead of the failed and upstream_failed ones. */
  readonly reset?: boolean;
  readonly clock: () => Date;
  /** Aborting it starts nothing new and stops the running runs (left queued, resumable). */
  readonly signal?: AbortSignal;
  /** Aborting it starts nothing new and lets running tasks end (a graceful stop). */
  readonly drain?: AbortSignal;
  readonly observer?: BackfillObserver;
}

export interface BackfillOutcome {
  /** Runs executed to their end or interrupted, in the order they stopped. */
  readonly runs: readonly DagRun[];
  /** Steps never started because the backfill was stopped. */
  readonly notStarted: number;
}

/**
 * Executes the steps of a backfill plan through one engine (so its task slots are shared), up to
 * `maxActiveRuns` runs at once, in plan order. Each run is prepared just before it starts:
 * created (a `backfill__<date>` run), or cleared under its lock for a rerun, or taken as it
 * stands for a resume. Creating lazily means a stopped backfill leaves nothing half-made: a run
 * is queued until the engine takes it, and the engine puts an interrupted run back to queued.
 * If preparing or executing a run throws, the other runs are stopped and the error rethrown.
 */
export async function executeBackfill(options: ExecuteBackfillOptions): Promise<BackfillOutcome> {
  const queue = options.steps.filter((step) => step.action !== "skip");
  const failure = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, failure.signal])
    : failure.signal;
  // Each running run listens to both: more than Node's 10 is expected, not a leak.
  setMaxListeners(0, signal, ...(options.drain ? [options.drain] : []));
  const runs: DagRun[] = [];
  let next = 0;
  let started = 0;
  let error: { cause: unknown } | undefined;

  const work = async (): Promise<void> => {
    while (!signal.aborted && !options.drain?.aborted && next < queue.length) {
      const step = queue[next++]!;
      try {
        const prepared = await prepareStep(options, step);
        // Stopped while preparing: the run stays queued (or cleared and queued) for a resume.
        if (signal.aborted || options.drain?.aborted) {
          if (typeof prepared !== "string") await prepared.close();
          return;
        }
        started++;
        options.observer?.runStarted?.(step, options.clock());
        const how = { signal, ...(options.drain && { drain: options.drain }) };
        const run =
          typeof prepared === "string"
            ? await options.engine.execute(options.loaded, prepared, how)
            : await options.engine.executeOpened(options.loaded, prepared, how);
        runs.push(run);
        options.observer?.runFinished?.(step, run, options.clock());
      } catch (cause) {
        // Another live process took this run since the plan (a scheduler, another backfill): it
        // is executing it, so this backfill leaves it to that process and goes on.
        if (cause instanceof LockError) continue;
        error ??= { cause };
        failure.abort();
      }
    }
  };
  const workers = Math.max(1, Math.min(options.maxActiveRuns, queue.length));
  await Promise.all(Array.from({ length: workers }, work));
  if (error) throw error.cause;
  return { runs, notStarted: queue.length - started };
}

/**
 * Creates (and opens) the run of a "create" step, or clears the run of a "rerun" step under its
 * lock, and returns the run to execute: its writer when it was just created, else its id. When
 * another process created the interval's run since the plan (its own backfill run, or the
 * scheduler's run of that date), that run is resumed.
 */
async function prepareStep(
  options: ExecuteBackfillOptions,
  step: BackfillStep,
): Promise<string | RunWriter> {
  const { store } = options.engine;
  const { dag } = options.loaded;
  if (step.action === "create") {
    try {
      return await store.createAndOpenRun(
        newIntervalRun(dag, step.interval, "backfill", options.clock()),
      );
    } catch (error) {
      if (error instanceof RunExistsError) return error.existingRunId;
      throw error;
    }
  }
  if (step.action !== "rerun") return step.runId;
  const writer = await store.openRun(dag.id, step.runId);
  try {
    const current = writer.run;
    // Another process resumed or cleared it since the plan: take it as it stands.
    if (current.state !== "success" && current.state !== "failed") return step.runId;
    const ids = selectTasksToClear(dag, current, { onlyFailed: !options.reset });
    writeRunEvent(writer, clearTasks(dag, current, ids, options.clock()));
  } finally {
    await writer.close();
  }
  return step.runId;
}
