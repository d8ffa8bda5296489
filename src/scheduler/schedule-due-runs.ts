import { newIntervalRun, timetableOf } from "../core/dag-timetable.js";
import { formatDuration } from "../core/duration.js";
import type { DagRun } from "../core/run.js";
import { LockError, RunExistsError } from "../errors.js";
import type { LoadedDag, PipelineSet } from "../loader/load-pipelines.js";
import type { Engine } from "../runner/engine.js";
import type { RunObserver } from "../runner/observer.js";
import { recoverLostRuns, runsClaimingToRun } from "../runner/recover.js";
import type { StateStore } from "../store/state-store.js";
import { pickRunsToStart, planRunsToCreate } from "../core/scheduler-pass.js";
import type { SchedulerLog } from "./scheduler-log.js";
import { RunAlreadyFinishedError } from "./unfinished-runs-store.js";

/** How a run the pass started ended for this process. */
export type RunResult =
  | { readonly outcome: "finished"; readonly run: DagRun }
  /** Another live flow process had it, or finished it first: not ours to run. */
  | { readonly outcome: "skipped"; readonly reason: string }
  | { readonly outcome: "error"; readonly error: unknown };

export interface StartedRun {
  readonly dagId: string;
  readonly runId: string;
  readonly done: Promise<RunResult>;
}

/** Run ids this process is executing, by DAG id. The pass adds to it and removes when done. */
export type ExecutingRuns = Map<string, Set<string>>;

export interface PassOptions {
  readonly store: StateStore;
  /** Executes runs; built on unfinishedRunsOnly(store), shared by every run of the process. */
  readonly engine: Engine;
  readonly pipelines: PipelineSet;
  /** The schedule's "now" (FLOW_NOW when set); also the new runs' queued_at. */
  readonly now: Date;
  readonly executing: ExecutingRuns;
  /** `<dag>/<run>` of runs not to start again (a --once already executed them). */
  readonly skip?: ReadonlySet<string>;
  /** Aborting it stops the runs this pass started: running tries are stopped, left to run again. */
  readonly signal: AbortSignal;
  readonly log: SchedulerLog;
  /** Runs created per DAG per pass at most (default scheduler-pass MAX_RUNS_CREATED_PER_PASS). */
  readonly cap?: number;
  readonly observer?: (dagId: string, runId: string) => RunObserver;
}

export interface PassResult {
  readonly created: readonly DagRun[];
  /** Runs started by this pass; await `done` for their end. */
  readonly started: readonly StartedRun[];
  /** Earliest future instant at which a DAG gets a new due run, or null. */
  readonly nextDueAt: Date | null;
  /** Some due runs were left for a later pass (maxActiveRuns or the per-pass cap). */
  readonly deferred: boolean;
  /** DAGs this pass could not handle (a state file error): logged, the others went on. */
  readonly errors: readonly { readonly dagId: string; readonly error: unknown }[];
}

/**
 * One scheduler pass over every DAG with a schedule: recover runs whose flow process died,
 * create the scheduled runs that are due (catchup, end date, maxActiveRuns, the per-pass cap),
 * then start the DAG's queued runs, oldest first, up to maxActiveRuns, on the one engine. It
 * does not wait for the runs: each StartedRun's `done` settles when it ends. A run another live
 * process holds is skipped: two schedulers (or a scheduler and `flow run --run`) never execute
 * the same run at once.
 */
export async function scheduleDueRuns(options: PassOptions): Promise<PassResult> {
  const created: DagRun[] = [];
  const started: StartedRun[] = [];
  const errors: { dagId: string; error: unknown }[] = [];
  let nextDueAt: Date | null = null;
  let deferred = false;
  for (const loaded of options.pipelines.dags.values()) {
    const timetable = timetableOf(loaded.dag);
    if (timetable === null) continue;
    try {
      const runs = await listRunsAfterRecovery(options, loaded);
      const plan = planRunsToCreate(loaded.dag, timetable, runs, options.now, options.cap);
      const fresh = await createRuns(options, loaded, plan.create);
      created.push(...fresh);
      deferred ||= plan.deferred;
      if (plan.nextDueAt && (!nextDueAt || plan.nextDueAt < nextDueAt)) nextDueAt = plan.nextDueAt;
      const all = fresh.length > 0 ? await options.store.listRuns(loaded.dag.id) : runs;
      started.push(...startRuns(options, loaded, all));
    } catch (error) {
      // Returned, not logged: the daemon logs it, `--once` ends with it (one line, not two).
      errors.push({ dagId: loaded.dag.id, error });
    }
  }
  return { created, started, nextDueAt, deferred, errors };
}

// The DAG's runs after recoverLostRuns, asked only when a run not executed here claims to run
// (its owner may have died): an ordinary pass then lists the runs once.
async function listRunsAfterRecovery(options: PassOptions, loaded: LoadedDag): Promise<DagRun[]> {
  const mine = options.executing.get(loaded.dag.id) ?? new Set<string>();
  const runs = await options.store.listRuns(loaded.dag.id);
  if (runsClaimingToRun(runs).every((run) => mine.has(run.run_id))) return runs;
  const recovered = await recoverLostRuns(options.store, loaded);
  for (const run of recovered) {
    options.log.info(`recovered run ${run.run_id} of dag ${run.dag_id}: its flow process died`);
  }
  return recovered.length > 0 ? options.store.listRuns(loaded.dag.id) : runs;
}

// Creates the planned runs; one that exists already (a concurrent creator) is left alone.
async function createRuns(
  options: PassOptions,
  loaded: LoadedDag,
  intervals: ReturnType<typeof planRunsToCreate>["create"],
): Promise<DagRun[]> {
  const created: DagRun[] = [];
  for (const { interval } of intervals) {
    const run = newIntervalRun(loaded.dag, interval, "scheduled", options.now);
    try {
      await options.store.createRun(run);
    } catch (error) {
      // Created meanwhile by another process (this id, or a backfill run of the same date).
      if (error instanceof RunExistsError) continue;
      throw error;
    }
    created.push(run);
    options.log.info(
      `created run ${run.run_id} of dag ${run.dag_id} (data interval ${run.data_interval_start} to ${run.data_interval_end})`,
    );
  }
  return created;
}

// Starts the runs pickRunsToStart chooses, registering each in `executing` until it ends.
function startRuns(options: PassOptions, loaded: LoadedDag, runs: DagRun[]): StartedRun[] {
  const dagId = loaded.dag.id;
  const mine = options.executing.get(dagId) ?? new Set<string>();
  options.executing.set(dagId, mine);
  const skip = new Set(
    [...(options.skip ?? [])].filter((key) => key.startsWith(`${dagId}/`)).map(runIdOfKey),
  );
  return pickRunsToStart(loaded.dag, runs, mine, skip).map((run) => {
    mine.add(run.run_id);
    const startedAt = Date.now();
    const done = options.engine
      .execute(loaded, run.run_id, {
        ...(options.observer && { observer: options.observer(dagId, run.run_id) }),
        signal: options.signal,
      })
      .then(
        (finished): RunResult => ({ outcome: "finished", run: finished }),
        (error: unknown): RunResult =>
          error instanceof LockError || error instanceof RunAlreadyFinishedError
            ? { outcome: "skipped", reason: error.message }
            : { outcome: "error", error },
      )
      .then((result) => {
        mine.delete(run.run_id);
        logResult(options.log, dagId, run.run_id, result, Date.now() - startedAt);
        return result;
      });
    options.log.info(`started run ${run.run_id} of dag ${dagId}`);
    return { dagId, runId: run.run_id, done };
  });
}

function logResult(
  log: SchedulerLog,
  dagId: string,
  runId: string,
  result: RunResult,
  elapsedMs: number,
): void {
  const what = `run ${runId} of dag ${dagId}`;
  if (result.outcome === "skipped") log.info(`skipped ${what}: ${result.reason}`);
  else if (result.outcome === "error") log.warn(`${what}: ${messageOf(result.error)}`);
  else if (result.run.state === "queued")
    log.info(`${what} stopped: its tasks will run again when the scheduler resumes it`);
  else if (result.run.state === "failed")
    log.warn(`${what} failed in ${formatDuration(elapsedMs)}${reasonOf(result.run)}`);
  else log.info(`${what} ${result.run.state} in ${formatDuration(elapsedMs)}`);
}

function reasonOf(run: DagRun): string {
  if (run.reason) return `: ${run.reason}`;
  const failed = Object.values(run.tasks)
    .filter((task) => task.state === "failed")
    .map((task) => task.task_id);
  return failed.length > 0 ? ` (failed: ${failed.join(", ")})` : "";
}

/** Key of a run in PassOptions.skip. */
export function runKey(dagId: string, runId: string): string {
  return `${dagId}/${runId}`;
}

function runIdOfKey(key: string): string {
  return key.slice(key.indexOf("/") + 1);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
