import type { TaskKind } from "../core/dag.js";
import type { DagRun } from "../core/run.js";
import { isRunFinished } from "../core/states.js";
import type { ConnectionSource } from "../connections/connection-source.js";
import type { Executor, TaskResolver } from "../executors/executor.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter, StateStore } from "../store/state-store.js";
import { executeRun } from "./execute-run.js";
import type { RunObserver } from "./observer.js";
import { TaskSlots } from "./slots.js";
import { makeTaskRuntime } from "./task-runtime.js";

export interface EngineOptions {
  readonly store: StateStore;
  readonly executors: Readonly<Record<TaskKind, Executor>>;
  /** Tasks running at once in this process, across all runs. */
  readonly parallelism: number;
  readonly clock?: () => Date;
  readonly owner: { readonly pid: number; readonly hostname: string };
  /** How often a task held by dependsOnPast reads its previous run again (default 2 s). */
  readonly pastPollMs?: number;
  /** Where callbacks' `ctx.connection` looks (the executors have their own). */
  readonly connections?: ConnectionSource;
}

/** What execute() may be given besides the run. */
export interface ExecuteOptions {
  readonly observer?: RunObserver;
  readonly signal?: AbortSignal;
  readonly drain?: AbortSignal;
}

/**
 * A held task reads its previous run again when a run of its DAG ends in this process, and every
 * PAST_POLL_MS in case another flow process executes that run.
 */
const PAST_POLL_MS = 2_000;

/** The default number of tasks running at once: Airflow's core.parallelism is 32. */
export const DEFAULT_PARALLELISM = 32;

/**
 * What one flow process uses to execute runs: the store, one executor per task kind, and the
 * task slots all its runs share. `flow run` executes one run with it, backfill and the
 * scheduler several at once.
 */
export class Engine {
  private readonly slots: TaskSlots;
  private readonly clock: () => Date;
  private readonly runEnded = new Map<string, Set<() => void>>();

  constructor(private readonly options: EngineOptions) {
    this.slots = new TaskSlots(options.parallelism);
    this.clock = options.clock ?? (() => new Date());
  }

  get store(): StateStore {
    return this.options.store;
  }

  /** Takes the run, executes it to its end (or until `signal` aborts), and gives it up. */
  async execute(loaded: LoadedDag, runId: string, options: ExecuteOptions = {}): Promise<DagRun> {
    const writer = await this.options.store.openRun(loaded.dag.id, runId);
    return this.executeOpened(loaded, writer, options);
  }

  /** execute() for a run this process has opened already (createAndOpenRun); closes `writer`. */
  async executeOpened(
    loaded: LoadedDag,
    writer: RunWriter,
    options: ExecuteOptions = {},
  ): Promise<DagRun> {
    const { store } = this.options;
    const runId = writer.run.run_id;
    // A finished run stays as it is: re-running it is `flow retry` / `flow clear`'s decision.
    if (isRunFinished(writer.run.state)) {
      await writer.close();
      return writer.run;
    }
    try {
      return await executeRun({
        loaded,
        writer,
        executors: this.options.executors,
        slots: this.slots,
        logPath: (taskId, tryNumber) => store.logPath(loaded.dag.id, runId, taskId, tryNumber),
        runLogPath: store.runLogPath(loaded.dag.id, runId),
        clock: this.clock,
        owner: this.options.owner,
        ...(this.options.connections && { connections: this.options.connections }),
        runtime: makeTaskRuntime(loaded.file, store),
        ...(options.observer && { observer: options.observer }),
        ...(options.signal && { signal: options.signal }),
        ...(options.drain && { drain: options.drain }),
        past: {
          store,
          onRunEnded: (dagId, listener) => this.onRunEnded(dagId, listener),
          pollMs: this.options.pastPollMs ?? PAST_POLL_MS,
        },
      });
    } finally {
      await writer.close();
      // After close: the run is stored as it ended when the listeners read it.
      for (const listener of [...(this.runEnded.get(loaded.dag.id) ?? [])]) listener();
    }
  }

  // Calls `listener` whenever a run of `dagId` executed by this engine ends; returns the unsubscribe.
  private onRunEnded(dagId: string, listener: () => void): () => void {
    let listeners = this.runEnded.get(dagId);
    if (listeners === undefined) this.runEnded.set(dagId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.runEnded.delete(dagId);
    };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.options.executors).map((executor) => executor.close()));
  }
}

/** Builds an engine with the local executors (bash through a shell helper, functions in-process). */
export async function makeLocalEngine(
  store: StateStore,
  resolver: TaskResolver,
  options: { parallelism?: number; clock?: () => Date; connections?: ConnectionSource },
): Promise<Engine> {
  const [{ BashExecutor }, { FunctionExecutor }, { hostname }] = await Promise.all([
    import("../executors/bash.js"),
    import("../executors/function.js"),
    import("node:os"),
  ]);
  return new Engine({
    store,
    executors: {
      bash: new BashExecutor(resolver),
      function: new FunctionExecutor(resolver, options.connections),
    },
    parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
    ...(options.clock && { clock: options.clock }),
    owner: { pid: process.pid, hostname: hostname() },
    ...(options.connections && { connections: options.connections }),
  });
}
