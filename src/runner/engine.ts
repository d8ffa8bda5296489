import type { TaskKind } from "../core/dag.js";
import type { DagRun } from "../core/run.js";
import { isRunFinished } from "../core/states.js";
import { queueHeldTries } from "../core/lost-tries.js";
import { UsageError } from "../errors.js";
import type { ConnectionSource } from "../connections/connection-source.js";
import type { Executor, TaskResolver } from "../executors/executor.js";
import { DEFAULT_JOB_SIZE_LIMIT } from "../queue/protocol.js";
import type { LoadedDag } from "../loader/load-pipelines.js";
import type { RunWriter, StateStore } from "../store/state-store.js";
import { executeRun } from "./execute-run.js";
import type { RunObserver } from "./observer.js";
import { TaskSlots } from "./slots.js";
import { makeTaskRuntime, type DagFinder } from "./task-runtime.js";

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
  /** How long a callback may run before its run goes on without it (default 60 s). */
  readonly callbackTimeoutMs?: number;
  /** What `ctx.runtime.findDag` asks (externalTask's check); without it, that rejects. */
  readonly findDag?: DagFinder;
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
    const held = queueHeldTries(loaded.dag, writer.run);
    if (held.length > 0 && !this.options.executors.bash.queue) {
      await writer.close();
      const tries = held.map((ti) => `${ti.task_id} try ${ti.try_number}`).join(", ");
      throw new UsageError(
        `run "${runId}" of dag "${loaded.dag.id}" has tries held by the queue (${tries}): only a flow with the queue can await them`,
        { hint: "resume it with --executor queue (and the same --redis and --queue)" },
      );
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
        ...(this.options.callbackTimeoutMs && {
          callbackTimeoutMs: this.options.callbackTimeoutMs,
        }),
        runtime: makeTaskRuntime(loaded.file, store, this.options.findDag),
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

/**
 * Where tries run: `local` (bash through a shell helper, functions in-process), or `queue`
 * (`flow worker`s take them from a BullMQ queue on Redis; see src/executors/queue).
 */
export type ExecutorChoice =
  | { readonly kind: "local" }
  | {
      readonly kind: "queue";
      readonly redisUrl: string;
      readonly queue: string;
      /** Absolute: jobs name pipeline files relative to it. */
      readonly pipelinesDir: string;
      readonly jobSizeLimit?: number;
      readonly queuedTimeoutMs?: number;
      /** A started try whose worker is gone (its job unlocked) this long fails. */
      readonly orphanMs?: number;
    };

/** Builds an engine with the executors `options.executor` names (local by default). */
export async function makeLocalEngine(
  store: StateStore,
  resolver: TaskResolver,
  options: {
    parallelism?: number;
    clock?: () => Date;
    connections?: ConnectionSource;
    executor?: ExecutorChoice;
    callbackTimeoutMs?: number;
    findDag?: DagFinder;
  },
): Promise<Engine> {
  const { hostname } = await import("node:os");
  const executor = options.executor ?? { kind: "local" };
  const executors =
    executor.kind === "queue"
      ? await queueExecutors(store, executor)
      : await localExecutors(resolver, options.connections);
  return new Engine({
    store,
    executors,
    parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
    ...(options.clock && { clock: options.clock }),
    owner: { pid: process.pid, hostname: hostname() },
    ...(options.connections && { connections: options.connections }),
    ...(options.callbackTimeoutMs && { callbackTimeoutMs: options.callbackTimeoutMs }),
    ...(options.findDag && { findDag: options.findDag }),
  });
}

async function localExecutors(
  resolver: TaskResolver,
  connections: ConnectionSource | undefined,
): Promise<Record<TaskKind, Executor>> {
  const [{ BashExecutor }, { FunctionExecutor }] = await Promise.all([
    import("../executors/bash.js"),
    import("../executors/function.js"),
  ]);
  return {
    bash: new BashExecutor(resolver),
    function: new FunctionExecutor(resolver, connections),
  };
}

async function queueExecutors(
  store: StateStore,
  choice: Extract<ExecutorChoice, { kind: "queue" }>,
): Promise<Record<TaskKind, Executor>> {
  const [{ openQueueDriver }, settings, { hostname }] = await Promise.all([
    import("../executors/queue/open-queue.js"),
    import("../executors/queue/settings.js"),
    import("node:os"),
  ]);
  const driver = await openQueueDriver(choice.redisUrl, {
    queue: choice.queue,
    stateDir: store.location,
    pipelinesDir: choice.pipelinesDir,
    host: hostname(),
    pid: process.pid,
    jobSizeLimit: choice.jobSizeLimit ?? DEFAULT_JOB_SIZE_LIMIT,
    queuedTimeoutMs: choice.queuedTimeoutMs ?? settings.DEFAULT_QUEUED_TIMEOUT_MS,
    reconcileMs: settings.DEFAULT_RECONCILE_MS,
    cancelWaitMs: settings.DEFAULT_CANCEL_WAIT_MS,
    orphanMs: choice.orphanMs ?? settings.DEFAULT_ORPHAN_MS,
  });
  return { bash: driver.executor("bash"), function: driver.executor("function") };
}

/**
 * Fails now, with a one-line QueueError, when the queue executor's Redis cannot be reached: a
 * command checks it before it writes anything (creates a run, clears tasks).
 */
export async function checkExecutor(choice: ExecutorChoice | undefined): Promise<void> {
  if (choice?.kind !== "queue") return;
  const { connectRedis } = await import("../queue/redis.js");
  const redis = await connectRedis(choice.redisUrl, { name: "flow-check" });
  redis.disconnect();
}
