import { stat } from "node:fs/promises";
import { runPaths } from "../../store/state-paths.js";

interface Watched {
  readonly dagId: string;
  readonly runId: string;
  stamp: string;
}

/**
 * The fallback for runs in progress: every `intervalMs`, the size and mtime of each tracked run's
 * snapshot and journal; a change reports the run. A journal append changes no folder's mtime,
 * and a missed inotify event must not freeze a page. stat only: nothing is opened or locked.
 */
export class JournalPoll {
  private readonly runs = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly changed: (dagId: string, runId: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  track(dagId: string, runId: string): void {
    const key = `${dagId}\0${runId}`;
    if (!this.runs.has(key)) this.runs.set(key, { dagId, runId, stamp: "" });
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  untrack(dagId: string, runId: string): void {
    this.runs.delete(`${dagId}\0${runId}`);
    if (this.runs.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.runs.clear();
  }

  private async poll(): Promise<void> {
    for (const run of [...this.runs.values()]) {
      const stamp = await this.stampOf(run.dagId, run.runId);
      if (stamp === run.stamp) continue;
      // The first stamp reports too: a change between the read that tracked the run and now.
      run.stamp = stamp;
      this.changed(run.dagId, run.runId);
    }
  }

  private async stampOf(dagId: string, runId: string): Promise<string> {
    const paths = runPaths(this.stateDir, dagId, runId);
    const parts = await Promise.all(
      [paths.snapshot, paths.journal].map((path) =>
        stat(path).then(
          (s) => `${s.size}:${s.mtimeMs}`,
          () => "-",
        ),
      ),
    );
    return parts.join("/");
  }
}
