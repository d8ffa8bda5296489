import { callbackTimeoutFromEnv } from "../runner/callbacks.js";
import { LockError } from "../errors.js";
import type { PipelineSet } from "../loader/load-pipelines.js";
import { makeLocalEngine, type Engine, type ExecutorChoice } from "../runner/engine.js";
import { ReloadingResolver } from "../scheduler/reloading-resolver.js";
import { takeSchedulerLock } from "../scheduler/scheduler-lock.js";
import type { SchedulerLog } from "../scheduler/scheduler-log.js";
import { unfinishedRunsOnly } from "../scheduler/unfinished-runs-store.js";
import type { FileStateStore } from "../store/file-store.js";
import { findDag, loadAll } from "./load-dag.js";
import { openStore } from "./open-store.js";
import type { Workspace } from "./workspace.js";

/** How the surface stops the scheduler; the scheduler also asks for a stop when it loses its lock. */
export interface SchedulerStop {
  /** Aborted at the first stop request: create and start nothing new. */
  readonly drain: AbortSignal;
  /** Aborted when the grace period is over: the running tasks are stopped. */
  readonly signal: AbortSignal;
  request(): void;
}

export interface SchedulerOptions {
  /** Where the scheduler says what it does, as it does it (the CLI's timestamped lines). */
  readonly log: SchedulerLog;
  readonly stop: SchedulerStop;
  /** Tasks running at once across all runs (default: the engine's). */
  readonly parallelism?: number;
  /** Where tries run (default local). */
  readonly executor?: ExecutorChoice;
}

/** What a scheduler works with while it holds the state dir's scheduler lock. */
export interface SchedulerSession {
  readonly store: FileStateStore;
  readonly engine: Engine;
  readonly resolver: ReloadingResolver;
  /** The pipelines as loaded at start; their import errors are logged already. */
  readonly pipelines: PipelineSet;
}

/** `work`'s value, or why it never ran: another live scheduler holds the state dir. */
export type SessionOutcome<T> =
  { readonly ran: true; readonly value: T } | { readonly ran: false; readonly busy: string };

/**
 * Takes the state dir's scheduler lock, loads the pipelines (logging each import error), builds
 * one engine for every run, runs `work`, then closes the engine and releases the lock. When
 * another live scheduler holds the lock, says so without loading anything.
 */
export async function withSchedulerSession<T>(
  workspace: Workspace,
  options: SchedulerOptions,
  work: (session: SchedulerSession) => Promise<T>,
): Promise<SessionOutcome<T>> {
  const store = await openStore(workspace);
  let lost: Error | undefined;
  const lock = await takeSchedulerLock(store.location, (error) => {
    lost = error;
    options.log.warn(`lost the scheduler lock (${error.message}): stopping`);
    options.stop.request();
  });
  if (lock.held) {
    const pid = lock.pid === null ? "" : ` (pid ${lock.pid})`;
    return {
      ran: false,
      busy: `a scheduler is already running for state dir ${store.location}${pid}`,
    };
  }
  try {
    const pipelines = await loadAll(workspace);
    for (const error of pipelines.errors)
      for (const message of error.messages) options.log.warn(`import error: ${message}`);
    const resolver = new ReloadingResolver(pipelines);
    const engine = await makeLocalEngine(unfinishedRunsOnly(store), resolver, {
      connections: { env: workspace.env, stateDir: workspace.stateDir },
      ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
      ...(options.executor && { executor: options.executor }),
      callbackTimeoutMs: callbackTimeoutFromEnv(workspace.env.FLOW_CALLBACK_TIMEOUT_MS),
      findDag: (dagId) => findDag(workspace, dagId),
    });
    let value: T;
    try {
      value = await work({ store, engine, resolver, pipelines });
    } finally {
      await engine.close();
    }
    // Another process may be the scheduler now: this one stopped, and must not look as if it
    // ended well.
    if (lost !== undefined)
      throw new LockError(`lost the scheduler lock (${lost.message}): stopped`, { cause: lost });
    return { ran: true, value };
  } finally {
    await lock.release();
  }
}
