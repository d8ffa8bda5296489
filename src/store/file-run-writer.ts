import { unlinkSync } from "node:fs";
import type { DagRun, RunFields, TaskInstance } from "../core/run.js";
import { copyTaskTable } from "../core/task-table.js";
import { LockError } from "../errors.js";
import { formatJournalLine, type JournalEntry } from "./journal.js";
import { JournalAppender } from "./journal-appender.js";
import { releaseLock, type ReleaseLock } from "./locks.js";
import { writeSnapshot } from "./snapshot.js";
import type { OwnerSighting, RunWriter } from "./state-store.js";
import { inaccessibleStatePath, isMissing } from "./state-file-errors.js";
import type { RunPaths } from "./state-paths.js";

/**
 * Writes one run while this process holds its lock. Saves go to the journal (one O(1) line
 * each, written at once, or at the next flush() after deferSaves()); close() folds them into a
 * fresh snapshot, removes the journal and releases the lock. `run` stays the run as read at
 * open; the writer keeps its own current copy for the snapshot.
 */
export class FileRunWriter implements RunWriter {
  private fields: RunFields;
  private readonly tasks: Record<string, TaskInstance>;
  private seq: number;
  private closed = false;
  private lost: Error | undefined;
  private deferring = false;
  // Lines saved since the last flush, while deferring: written together, in order.
  private pending = "";

  constructor(
    readonly run: DagRun,
    seq: number,
    private readonly paths: RunPaths,
    private readonly journal: JournalAppender,
    private readonly release: ReleaseLock,
    // Whether this process still holds the run's lock (isLockStillOurs), asked before each write.
    private readonly stillHeld: () => boolean,
    readonly previousOwner?: OwnerSighting,
  ) {
    const { tasks, ...fields } = run;
    this.fields = fields;
    this.tasks = copyTaskTable(tasks);
    this.seq = seq;
  }

  // Called by proper-lockfile when the lock could not be refreshed in time (event loop blocked
  // longer than the stale time, lock dir removed), and by checked(): another process may own the
  // run now, so every later save fails instead of interleaving with theirs.
  markLockLost(cause: Error): void {
    const { dag_id, run_id } = this.run;
    this.lost = new LockError(
      `lost the lock on run "${run_id}" of dag "${dag_id}" (${cause.message}); stopped writing to it`,
      { cause },
    );
  }

  saveTask(instance: TaskInstance): void {
    this.append({ seq: this.seq + 1, task: instance });
    this.tasks[instance.task_id] = instance;
  }

  saveRun(fields: RunFields): void {
    // A caller may hand a whole DagRun; journal only the run's own fields so the line stays small.
    const { tasks: _tasks, ...own } = fields as RunFields & { tasks?: unknown };
    this.append({ seq: this.seq + 1, run: own });
    this.fields = own;
  }

  // Appends first, then advances: a failed append changes nothing in memory. A deferred line
  // is kept (with its seq) for flush(); the snapshot at close() holds it even if flush fails.
  private append(entry: JournalEntry): void {
    if (this.closed) throw new Error(`bug: save to run "${this.run.run_id}" after close()`);
    if (this.lost !== undefined) throw this.lost;
    const line = formatJournalLine(entry);
    if (this.deferring) this.pending += line;
    else this.journal.append(this.checked(line));
    this.seq = entry.seq;
  }

  // `line`, once the lock is known to be ours still. When the event loop was blocked, the code
  // that resumes (a try's end, the run's end) runs before proper-lockfile's timer can report a
  // takeover, so each write asks first.
  private checked(line: string): string {
    if (this.lost === undefined && !this.stillHeld())
      this.markLockLost(
        new Error("another process took it over while this one was not refreshing it"),
      );
    if (this.lost !== undefined) throw this.lost;
    return line;
  }

  deferSaves(): void {
    this.deferring = true;
  }

  // One write(2) for every line deferred since the last flush: durable against kill -9 once it
  // returns, like a single save.
  flush(): void {
    if (this.pending === "") return;
    const lines = this.checked(this.pending);
    this.pending = "";
    this.journal.append(lines);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } catch {
      // The snapshot below holds these saves; a lost lock is rethrown there.
    }
    this.journal.close();
    try {
      // Without the lock another process may already own the run: leave its files alone.
      this.checked("");
      // Order matters: a crash after the snapshot but before the unlink leaves journal lines
      // with seq <= the snapshot's, which readers skip.
      await writeSnapshot(this.paths.snapshot, { ...this.fields, tasks: this.tasks }, this.seq);
      await removeJournal(this.paths.journal);
    } finally {
      await releaseLock(this.release);
    }
  }
}

/**
 * Deletes a journal whose lines a snapshot now holds. No folder fsync: if a power loss undoes
 * the unlink, the journal's lines all have seq <= the snapshot's and readers skip them.
 */
export async function removeJournal(path: string): Promise<void> {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isMissing(error)) throw inaccessibleStatePath(path, "remove the journal", error);
  }
}
