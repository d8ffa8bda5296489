import type { ConnectionSource } from "../connections/connection-source.js";
import type { TaskRuntime } from "../api/context.js";
import type { TaskKind } from "../core/dag.js";
import type { Executor } from "../executors/executor.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter } from "../store/state-store.js";
import type { RunObserver } from "./observer.js";
import type { PastSource } from "./past-watch.js";
import type { TaskSlots } from "./slots.js";

/** What executeRun needs: the run opened for writing, and the means to execute its tries. */
export interface ExecuteRunOptions {
  readonly loaded: LoadedDag;
  /** The run, opened (owned) by this process. executeRun saves to it but does not close it. */
  readonly writer: RunWriter;
  readonly executors: Readonly<Record<TaskKind, Executor>>;
  readonly slots: TaskSlots;
  readonly logPath: (taskId: string, tryNumber: number) => string;
  /** The run's own log, for what the DAG's callbacks write. */
  readonly runLogPath: string;
  /** The wall clock: task start and end times, retry delays. */
  readonly clock: () => Date;
  readonly owner: { readonly pid: number; readonly hostname: string };
  readonly observer?: RunObserver;
  /** Aborting it stops the run: nothing new starts, running tries are stopped and left to run again. */
  readonly signal?: AbortSignal;
  /**
   * Aborting it drains the run: nothing new starts, running tries go on to their end, then the
   * run goes back to queued (a graceful stop; `signal` then stops what is still running).
   */
  readonly drain?: AbortSignal;
  /** The `ctx.runtime` of the run's function tasks (see makeTaskRuntime). */
  readonly runtime: TaskRuntime;
  /** Where dependsOnPast tasks look at the previous run; without it, dependsOnPast is ignored. */
  readonly past?: PastSource;
  /** Where callbacks' `ctx.connection` looks; without it, this process's environment only. */
  readonly connections?: ConnectionSource;
  /** How long a callback may run before the run goes on without it (default 60 s). */
  readonly callbackTimeoutMs?: number;
}
