import type { ChildProcess } from "node:child_process";
import type { Workspace } from "../../ops/workspace.js";
import { startDetachedRun, type FlowLauncher } from "./detach-run.js";
import { HttpError } from "./http-error.js";

/**
 * The detached `flow run`s this server started, by run, until each process exits. A run's lock
 * refuses a second writer only once its `flow run` has taken it, about half a second after the
 * spawn: in that window a second retry found the run free (queued, nothing failed), answered 200
 * and started a second `flow run`, which then failed on the lock. Any request that would take
 * the lock in that window (retry, mark, clear) could also make the first one fail on it. So the
 * server refuses those itself (409, as Airflow's REST API answers a conflict) while the process
 * it started lives; once it has exited, the run's lock and state decide as on the command line.
 */
export class RunLaunches {
  private readonly children = new Map<string, ChildProcess>();

  constructor(
    private readonly launcher: FlowLauncher,
    private readonly workspace: Workspace,
  ) {}

  /** Refuses (409) a run whose `flow run` this server started and which has not exited. */
  assertNotStarted(dagId: string, runId: string): void {
    const child = this.children.get(keyOf(dagId, runId));
    if (child === undefined) return;
    const who = child.pid === undefined ? "a flow process" : `flow process ${child.pid}`;
    throw new HttpError(
      409,
      `run "${runId}" of dag "${dagId}" is already being started or run (${who}, started by this view): nothing done; try again once it has finished`,
    );
  }

  /** Whether a `flow run` this server started for a run of `dagId` is still alive. */
  isStartingAny(dagId: string): boolean {
    for (const key of this.children.keys()) if (key.startsWith(keyOf(dagId, ""))) return true;
    return false;
  }

  /**
   * Executes the run in a detached `flow run`, unless one this server started is alive already
   * (it will read what was written meanwhile, as it has not opened the run yet, or the writer
   * would have met its lock). Checking and remembering happen in one synchronous step.
   */
  start(dagId: string, runId: string): void {
    const key = keyOf(dagId, runId);
    if (this.children.has(key)) return;
    const child = startDetachedRun(this.launcher, this.workspace, dagId, runId);
    this.children.set(key, child);
    const forget = (): void => {
      if (this.children.get(key) === child) this.children.delete(key);
    };
    // A spawn that fails (no such binary) emits "error" and no "exit".
    child.once("exit", forget);
    child.once("error", forget);
  }
}

// Ids hold no NUL (src/store/state-paths.ts refuses it), so the pair is unambiguous.
function keyOf(dagId: string, runId: string): string {
  return `${dagId}\0${runId}`;
}
