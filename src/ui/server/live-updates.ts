import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isRunFinished } from "../../core/states.js";
import { openStoreForReading } from "../../ops/open-store.js";
import { readRunWith } from "../../ops/read-run.js";
import type { Workspace } from "../../ops/workspace.js";
import { runsDir } from "../../store/state-paths.js";
import type { StateReader } from "../../store/state-store.js";
import { EventHub } from "./event-hub.js";
import { JournalPoll } from "./journal-poll.js";
import { toDagRunJson } from "./run-json.js";
import { StateWatcher } from "./state-watcher.js";

// Changes are gathered this long, then each changed run is read once and all are sent in one
// write: a run's burst of writes (snapshot, journal, lock) is one read, a backfill's many runs
// one write per client.
const FLUSH_MS = 250;

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
  private readonly dirty = new Map<string, { readonly dagId: string; readonly runId: string }>();
  private flushTimer: NodeJS.Timeout | undefined;
  private reader: StateReader | undefined;

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
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.dirty.clear();
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
    this.dirty.set(`${dagId}\0${runId}`, { dagId, runId });
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  // Reads every run changed since the last flush and sends them; one flush at a time.
  private async flush(): Promise<void> {
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    const runs: ReturnType<typeof toDagRunJson>[] = [];
    try {
      this.reader ??= await openStoreForReading(this.workspace);
      for (const { dagId, runId } of batch) {
        const run = await readRunWith(this.reader, this.workspace, dagId, runId).catch(
          // Being created, or not a run (a stray file): the next change tells.
          () => undefined,
        );
        if (run === undefined || run.run_id !== runId || this.watcher === undefined) continue;
        if (isRunFinished(run.state)) this.poll.untrack(dagId, runId);
        else this.poll.track(dagId, runId);
        runs.push(toDagRunJson(run));
      }
    } catch {
      // The state dir cannot be read now (its layout marker is being written): try again later.
      for (const { dagId, runId } of batch) this.dirty.set(`${dagId}\0${runId}`, { dagId, runId });
    }
    if (this.watcher !== undefined) this.hub.sendAll("run", runs);
    this.flushTimer =
      this.watcher !== undefined && this.dirty.size > 0
        ? setTimeout(() => void this.flush(), FLUSH_MS)
        : undefined;
  }
}
