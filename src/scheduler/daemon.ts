import { relative } from "node:path";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { changedFiles, pipelineFileStamps } from "../loader/pipeline-stamps.js";
import type { Engine } from "../runner/engine.js";
import type { StateStore } from "../store/state-store.js";
import type { ReloadingResolver } from "./reloading-resolver.js";
import {
  messageOf,
  scheduleDueRuns,
  type ExecutingRuns,
  type RunResult,
} from "./schedule-due-runs.js";
import { taskLogObserver, type SchedulerLog } from "./scheduler-log.js";

export interface DaemonOptions {
  readonly store: StateStore;
  readonly engine: Engine;
  /** The engine's resolver: given each new load of the pipelines. */
  readonly resolver: ReloadingResolver;
  readonly pipelinesDir: string;
  /** The pipelines as loaded at start. */
  readonly pipelines: PipelineSet;
  /** Loads the pipelines again (a changed file compiles to a new module, see compiled-pipelines.ts). */
  readonly reload: () => Promise<PipelineSet>;
  /** Where relative file names in messages start from. */
  readonly cwd: string;
  /** The schedule's "now" (FLOW_NOW when set). */
  readonly now: () => Date;
  readonly log: SchedulerLog;
  /** Aborted at the first stop request: create and start nothing new, wait for running runs. */
  readonly drain: AbortSignal;
  /** Aborted when the grace period is over: the running tasks are stopped. */
  readonly signal: AbortSignal;
  readonly cap?: number;
  /** Longest sleep between two passes, so that clock changes and surprises are caught. */
  readonly maxSleepMs?: number;
  /** How often the pipelines folder is checked for changed files. */
  readonly pollMs?: number;
}

const MAX_SLEEP_MS = 30_000;
const POLL_MS = 1_000;
// Shortest pause between passes: a pass never spins.
const MIN_SLEEP_MS = 100;

/**
 * The scheduler loop. A pass only creates runs and starts them; runs execute on the engine while
 * the loop sleeps until the next run is due (at most maxSleepMs), a run ends (which may free a
 * maxActiveRuns place), or a pipeline file changes (it is reloaded; new import errors are logged
 * and the loop goes on). Resolves once a stop was requested and every started run has ended.
 */
export async function runSchedulerDaemon(options: DaemonOptions): Promise<void> {
  const executing: ExecutingRuns = new Map();
  const running = new Set<Promise<RunResult>>();
  let pipelines = options.pipelines;
  let stamps = safeStamps(options);
  const alarm = new Alarm();
  const wake = (): void => alarm.ring();
  const poll = setInterval(() => {
    const now = safeStamps(options);
    if (now !== null && stamps !== null && changedFiles(stamps, now).length > 0) wake();
  }, options.pollMs ?? POLL_MS);
  options.drain.addEventListener("abort", wake, { once: true });
  try {
    while (!options.drain.aborted) {
      alarm.reset();
      const current = safeStamps(options);
      if (current !== null && stamps !== null && changedFiles(stamps, current).length > 0) {
        pipelines = await reload(options, pipelines, stamps, current);
        stamps = current;
      }
      let delay = options.maxSleepMs ?? MAX_SLEEP_MS;
      try {
        const pass = await scheduleDueRuns({
          store: options.store,
          engine: options.engine,
          pipelines,
          now: options.now(),
          executing,
          signal: options.signal,
          log: options.log,
          ...(options.cap !== undefined && { cap: options.cap }),
          observer: (dagId, runId) => taskLogObserver(options.log, dagId, runId),
        });
        for (const { dagId, error } of pass.errors) {
          options.log.warn(`dag "${dagId}": ${messageOf(error)}`);
        }
        for (const run of pass.started) {
          const done = run.done.finally(() => {
            running.delete(done);
            wake();
          });
          running.add(done);
        }
        if (pass.nextDueAt !== null)
          delay = Math.min(delay, pass.nextDueAt.getTime() - options.now().getTime());
        if (pass.deferred && pass.created.length > 0) delay = 0;
      } catch (error) {
        options.log.warn(
          `scheduler pass failed: ${error instanceof Error ? error.message : error}`,
        );
      }
      if (options.drain.aborted) break;
      await alarm.sleep(Math.max(MIN_SLEEP_MS, delay));
    }
  } finally {
    clearInterval(poll);
  }
  if (running.size > 0) {
    options.log.info(
      `stopping: waiting for ${running.size} running run(s) to finish (then their tasks are stopped and left to run again)`,
    );
  }
  await Promise.all(running);
}

// The stamps of the pipeline files, or null (logged) when the folder cannot be read.
function safeStamps(options: DaemonOptions): Map<string, string> | null {
  try {
    return pipelineFileStamps(options.pipelinesDir);
  } catch (error) {
    options.log.warn(`${error instanceof Error ? error.message : error}`);
    return null;
  }
}

// Loads the pipelines again and says what changed: files, DAGs, and import errors not seen before.
async function reload(
  options: DaemonOptions,
  before: PipelineSet,
  oldStamps: ReadonlyMap<string, string>,
  newStamps: ReadonlyMap<string, string>,
): Promise<PipelineSet> {
  const files = changedFiles(oldStamps, newStamps).map(
    (file) => relative(options.cwd, file) || file,
  );
  let after: PipelineSet;
  try {
    after = await options.reload();
  } catch (error) {
    options.log.warn(`reload failed: ${error instanceof Error ? error.message : error}`);
    return before;
  }
  options.log.info(`reloaded pipelines (changed: ${files.join(", ")})`);
  const added = [...after.dags.keys()].filter((id) => !before.dags.has(id));
  const removed = [...before.dags.keys()].filter((id) => !after.dags.has(id));
  if (added.length > 0) options.log.info(`new dag(s): ${added.join(", ")}`);
  if (removed.length > 0) options.log.info(`dag(s) gone: ${removed.join(", ")}`);
  const known = new Set(before.errors.flatMap((error) => error.messages));
  for (const error of after.errors) {
    for (const message of error.messages) {
      if (!known.has(message)) options.log.warn(`import error: ${message}`);
    }
  }
  options.resolver.update(after);
  return after;
}

// A sleep that ring() cuts short, including a ring that came before the sleep began.
class Alarm {
  private rung = false;
  private cut: (() => void) | undefined;

  reset(): void {
    this.rung = false;
  }

  ring(): void {
    this.rung = true;
    this.cut?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.rung) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.cut = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cut = done;
    });
  }
}
