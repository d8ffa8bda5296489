import type { DagRun } from "../core/run.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import type { Engine } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import {
  runKey,
  scheduleDueRuns,
  type ExecutingRuns,
  type RunResult,
} from "./schedule-due-runs.js";
import { taskLogObserver, type SchedulerLog } from "./scheduler-log.js";

export interface OnceOptions {
  readonly store: StateStore;
  readonly engine: Engine;
  readonly pipelines: PipelineSet;
  /** The schedule's "now" (FLOW_NOW when set). */
  readonly now: () => Date;
  readonly log: SchedulerLog;
  /** Aborted at the first stop request: start no more runs, let the running ones end. */
  readonly drain: AbortSignal;
  /** Aborted when the grace period is over: the running tasks are stopped. */
  readonly signal: AbortSignal;
  readonly cap?: number;
}

/** What `flow scheduler --once` did. */
export interface OnceSummary {
  readonly created: number;
  /** Runs this process executed, as they ended (a run stopped by a signal is queued). */
  readonly finished: readonly DagRun[];
  /** Runs another flow process had, or finished first. */
  readonly skipped: number;
  /** Per-DAG and per-run errors (state file problems): logged already. */
  readonly errors: readonly unknown[];
}

/**
 * One scheduling pass for cron, run to completion: create what is due and execute it; each time a
 * run ends, pass again, since that freed room for more (maxActiveRuns 1 with catchup runs the
 * missed intervals one after another, in order); end when nothing runs and a pass has nothing new
 * to start. A run executes at most once per invocation, so this always ends.
 */
export async function runSchedulerOnce(options: OnceOptions): Promise<OnceSummary> {
  const executing: ExecutingRuns = new Map();
  const executed = new Set<string>();
  const running = new Set<Promise<RunResult>>();
  const finished: DagRun[] = [];
  const errors: unknown[] = [];
  let created = 0;
  let skipped = 0;
  // A DAG whose state cannot be read fails every pass the same way: reported once.
  const reported = new Set<string>();
  const report = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    if (reported.has(message)) return;
    reported.add(message);
    errors.push(error);
  };
  const pass = async (): Promise<void> => {
    const result = await scheduleDueRuns({
      store: options.store,
      engine: options.engine,
      pipelines: options.pipelines,
      now: options.now(),
      executing,
      skip: executed,
      signal: options.signal,
      log: options.log,
      ...(options.cap !== undefined && { cap: options.cap }),
      observer: (dagId, runId) => taskLogObserver(options.log, dagId, runId),
    });
    created += result.created.length;
    for (const { error } of result.errors) report(error);
    for (const run of result.started) {
      executed.add(runKey(run.dagId, run.runId));
      const done = run.done.then((ended) => {
        running.delete(done);
        if (ended.outcome === "finished") finished.push(ended.run);
        else if (ended.outcome === "skipped") skipped++;
        else report(ended.error);
        return ended;
      });
      running.add(done);
    }
  };
  // A stop that came before the pass began (while the lock was taken) starts nothing.
  if (!options.drain.aborted) await pass();
  while (running.size > 0) {
    await Promise.race(running);
    if (!options.drain.aborted) await pass();
  }
  return { created, finished, skipped, errors };
}
