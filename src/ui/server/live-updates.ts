import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isRunFinished } from "../../core/states.js";
import { readRun } from "../../ops/read-run.js";
import type { Workspace } from "../../ops/workspace.js";
import { runsDir } from "../../store/state-paths.js";
import { EventHub } from "./event-hub.js";
import { JournalPoll } from "./journal-poll.js";
import { toDagRunJson } from "./run-json.js";
import { StateWatcher } from "./state-watcher.js";

// Bursts of writes to one run (a snapshot, its journal, a lock) become one read.
const DEBOUNCE_MS = 100;

/**
 * GET /api/events behind the scenes: while at least one browser listens, watch the state dir,
 * re-read only the runs whose files changed (ops readRun: a dead owner's tries shown as lost,
 * nothing written, no lock taken) and send each as an `event: run`; `event: dags` when the
 * pipelines or the set of DAG folders change. Runs in progress are also polled (JournalPoll).
 */
export class LiveUpdates {
  readonly hub: EventHub;
  private watcher: StateWatcher | undefined;
  private readonly poll: JournalPoll;
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly workspace: Workspace) {
    this.hub = new EventHub(
      () => this.start(),
      () => this.stop(),
    );
    this.poll = new JournalPoll(workspace.stateDir, (dag, run) => this.changed(dag, run));
  }

  /** Ends every stream and stops watching. */
  close(): void {
    this.hub.closeAll();
    this.stop();
  }

  private start(): void {
    const { stateDir, pipelinesDir } = this.workspace;
    this.watcher = new StateWatcher(stateDir, pipelinesDir, {
      run: (dag, run) => this.changed(dag, run),
      dagFolder: (dag, fresh) => void this.foundDag(dag, fresh),
      pipelines: () => this.hub.send("dags", {}),
    });
    this.watcher.start();
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.poll.stop();
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /**
   * A DAG folder now watched. One there from the start: its runs held by a process now (a lock
   * folder) are in progress and polled. A new one (a DAG's first run): every run in it is read,
   * as its files may have been written before the watch began, and the DAG list changed.
   */
  private async foundDag(dagId: string, fresh: boolean): Promise<void> {
    if (fresh) this.hub.send("dags", {});
    const names = await readdir(join(runsDir(this.workspace.stateDir), dagId)).catch(() => []);
    for (const name of names) {
      if (name.startsWith(".")) continue;
      if (fresh && name.endsWith(".json")) this.changed(dagId, name.slice(0, -5));
      else if (name.endsWith(".lock")) this.poll.track(dagId, name.slice(0, -5));
    }
  }

  private changed(dagId: string, runId: string): void {
    const key = `${dagId}\0${runId}`;
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.push(dagId, runId);
      }, DEBOUNCE_MS),
    );
  }

  private async push(dagId: string, runId: string): Promise<void> {
    if (this.watcher === undefined) return;
    let run;
    try {
      run = await readRun(this.workspace, dagId, runId);
    } catch {
      // Being created, or not a run (a stray file): the next change tells.
      return;
    }
    if (run.run_id !== runId || this.watcher === undefined) return;
    if (isRunFinished(run.state)) this.poll.untrack(dagId, runId);
    else this.poll.track(dagId, runId);
    this.hub.send("run", toDagRunJson(run));
  }
}
