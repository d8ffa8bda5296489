import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { runsDir } from "../../store/state-paths.js";

/** What the watcher reports: a run's files changed, or the set of DAGs may have. */
export interface WatchEvents {
  run(dagId: string, runId: string): void;
  dags(): void;
}

// `<run>.json`, `<run>.journal` or `<run>.lock` (a temp file ends in .tmp and is renamed later).
const RUN_FILE = /^(.+)\.(json|journal|lock)$/;

/**
 * Non-recursive `fs.watch`es (recursive watching is unreliable on Node 20 on Linux): one on
 * `runs/` for new DAG folders, one per `runs/<dag>/` for its runs' files, one on the pipelines
 * folder. A state dir without `runs/` yet is checked again every second until it has one.
 * Only watches: reads nothing, writes nothing.
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

  /** The DAG folders watched so far. */
  get dagIds(): string[] {
    return [...this.watchers.keys()]
      .filter((key) => key.startsWith("dag:"))
      .map((key) => key.slice(4));
  }

  start(): void {
    this.add("pipelines", this.pipelinesDir, () => this.events.dags());
    this.watchRuns();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  /** Starts watching a DAG folder (idempotent); true when it is new. */
  watchDag(dagId: string): boolean {
    if (dagId.startsWith(".") || this.watchers.has(`dag:${dagId}`)) return false;
    return this.add(`dag:${dagId}`, join(runsDir(this.stateDir), dagId), (name) => {
      const match = name && RUN_FILE.exec(name);
      if (match && !match[1]!.startsWith(".")) this.events.run(dagId, match[1]!);
    });
  }

  private watchRuns(): void {
    if (this.closed) return;
    const runs = runsDir(this.stateDir);
    if (!existsSync(runs)) {
      this.retry = setTimeout(() => this.watchRuns(), 1000);
      return;
    }
    this.add("runs", runs, (name) => {
      if (name && this.watchDag(name)) this.events.dags();
    });
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
