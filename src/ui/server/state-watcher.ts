import { existsSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { runsDir } from "../../store/state-paths.js";

/** What the watcher reports: a run's files changed, DAG folders found, the pipelines changed. */
export interface WatchEvents {
  run(dagId: string, runId: string): void;
  /** A DAG folder there when watching began (`fresh` false) or made since (true); now watched. */
  dagFolder(dagId: string, fresh: boolean): void;
  pipelines(): void;
}

// `<run>.json`, `<run>.journal` or `<run>.lock` (a temp file ends in .tmp and is renamed later).
const RUN_FILE = /^(.+)\.(json|journal|lock)$/;

/**
 * Non-recursive `fs.watch`es (recursive watching is unreliable on Node 20 on Linux): one on
 * `runs/` for new DAG folders, one per `runs/<dag>/` for its runs' files, one on the pipelines
 * folder. A state dir without `runs/` yet is checked again every second until it has one.
 * It lists folders and reads no file; it writes nothing.
 */
export class StateWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly stateDir: string,
    private readonly pipelinesDir: string,
    private readonly events: WatchEvents,
  ) {}

  start(): void {
    this.add("pipelines", this.pipelinesDir, () => this.events.pipelines());
    this.watchRuns(false);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  // Watches a DAG folder not watched yet, then reports it: its runs may predate the watch.
  private watchDag(dagId: string, fresh: boolean): void {
    if (dagId.startsWith(".") || this.watchers.has(`dag:${dagId}`)) return;
    const watched = this.add(`dag:${dagId}`, join(runsDir(this.stateDir), dagId), (name) => {
      const match = name && RUN_FILE.exec(name);
      if (match && !match[1]!.startsWith(".")) this.events.run(dagId, match[1]!);
    });
    if (watched) this.events.dagFolder(dagId, fresh);
  }

  // `runs/` and each DAG folder in it; `late` when runs/ appeared after watching began.
  private watchRuns(late: boolean): void {
    if (this.closed) return;
    const runs = runsDir(this.stateDir);
    if (!existsSync(runs)) {
      this.retry = setTimeout(() => this.watchRuns(true), 1000);
      return;
    }
    this.add("runs", runs, (name) => {
      if (name) this.watchDag(name, true);
    });
    let names: string[] = [];
    try {
      names = readdirSync(runs);
    } catch {
      // Gone again: its watcher's error closes it.
    }
    for (const name of names) this.watchDag(name, late);
  }

  // Watches `dir`; a folder that vanished or cannot be watched is left out (no events from it).
  private add(key: string, dir: string, listener: (name: string | null) => void): boolean {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) =>
        listener(name === null ? null : String(name)),
      );
      watcher.on("error", () => {
        watcher.close();
        this.watchers.delete(key);
      });
      this.watchers.set(key, watcher);
      return true;
    } catch {
      return false;
    }
  }
}
