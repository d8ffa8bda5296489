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
      dags: () => this.hub.send("dags", {}),
    });
    this.watcher.start();
    void this.watchExisting();
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.poll.stop();
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  // Every DAG folder there is, and the runs held by a process now (a lock folder): those in progress.
  private async watchExisting(): Promise<void> {
    const runs = runsDir(this.workspace.stateDir);
    const dags = await readdir(runs).catch(() => [] as string[]);
    for (const dagId of dags) {
      if (!this.watcher?.watchDag(dagId)) continue;
      const names = await readdir(join(runs, dagId)).catch(() => [] as string[]);
      for (const name of names)
        if (name.endsWith(".lock") && !name.startsWith("."))
          this.poll.track(dagId, name.slice(0, -5));
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
