import { mkdirSync } from "node:fs";
import { access, constants, mkdir } from "node:fs/promises";
import type { DagRun } from "../core/run.js";
import { LockError, RunExistsError } from "../errors.js";
import { automatedTwins } from "./automated-twins.js";
import { FileRunWriter, removeJournal } from "./file-run-writer.js";
import { FileStateReader, lockTimingOf, type FileStoreOptions } from "./file-state-reader.js";
import { JournalAppender } from "./journal-appender.js";
import { ensureLayoutMarker } from "./layout-marker.js";
import { isLockStillOurs } from "./lock-fs.js";
import { releaseLock, takeLock, type ReleaseLock } from "./locks.js";
import { runIsBusy, runNotFound } from "./run-access-errors.js";
import { readStoredRun } from "./run-file.js";
import { syncDir } from "./dir-sync.js";
import type { PreparedFile } from "./durable-write.js";
import { prepareSnapshot, writeSnapshot } from "./snapshot.js";
import type { RunWriter, StateStore } from "./state-store.js";
import { inaccessibleStatePath } from "./state-file-errors.js";
import { dagLockPath, runPaths, type RunPaths } from "./state-paths.js";
import { SerialQueue } from "./serial-queue.js";

/**
 * The state dir on disk: one snapshot + journal per run under `runs/<dag>/`, so recording a
 * run costs the same with 10 or 10,000 runs in the history (lessons-from-peers row 10), and
 * every write happens under an inter-process lock with stale detection (row 9).
 */
export class FileStateStore extends FileStateReader implements StateStore {
  private readonly creating = new SerialQueue();

  // Opens (creating it if needed) a state dir, checking its layout version.
  static async open(stateDir: string, options: FileStoreOptions = {}): Promise<FileStateStore> {
    try {
      await mkdir(stateDir, { recursive: true });
    } catch (error) {
      throw inaccessibleStatePath(stateDir, "create the state dir", error);
    }
    try {
      await access(stateDir, constants.W_OK);
    } catch (error) {
      throw inaccessibleStatePath(stateDir, "write to the state dir", error);
    }
    await ensureLayoutMarker(stateDir);
    return new FileStateStore(stateDir, lockTimingOf(options));
  }

  async createRun(run: DagRun): Promise<void> {
    const paths = runPaths(this.location, run.dag_id, run.run_id);
    // Fast path for the common duplicate (a second `flow run` at the same second): no lock needed
    // to see that the id is taken, since runs are never deleted under a live flow.
    await this.assertRunIsNew(run, paths);
    await this.create(run, paths);
  }

  async createAndOpenRun(run: DagRun): Promise<RunWriter> {
    const paths = runPaths(this.location, run.dag_id, run.run_id);
    await this.assertRunIsNew(run, paths);
    let writer: FileRunWriter | undefined;
    const release = await this.create(run, paths, (error) => writer?.markLockLost(error));
    // A lock left on the new id by a process that died creating it: the run exists now, queued,
    // for whoever opens it once that lock is stale (as when openRun after createRun fails).
    if (release === "held") throw await runIsBusy(this, this.timing, run.dag_id, run.run_id);
    if (release === undefined) throw new Error("bug: create() took no run lock");
    try {
      const journal = JournalAppender.open(paths.journal);
      writer = new FileRunWriter(run, 0, paths, journal, release, this.stillHeld(paths));
      return writer;
    } catch (error) {
      await releaseLock(release);
      throw error;
    }
  }

  /**
   * Writes a new run's first snapshot. It is written and fsynced under a temp name first; only
   * "is the id free" and the rename happen under the DAG lock, so other creators wait for a few
   * metadata calls, not for the disk. The folder's fsync (the rename's durability) comes after
   * the lock is released and before this returns, so no journal ever exists before its snapshot
   * is durable. With `lockRun`, the run's own lock is taken just before the rename and returned.
   */
  private async create(
    run: DagRun,
    paths: RunPaths,
    lockRun?: (lost: Error) => void,
  ): Promise<ReleaseLock | "held" | undefined> {
    ensureDagDir(paths);
    const prepared = await prepareSnapshot(paths.snapshot, run);
    let runLock: ReleaseLock | "held" | undefined;
    try {
      runLock = await this.creating.run(run.dag_id, () =>
        this.renameUnderDagLock(run, paths, prepared, lockRun),
      );
    } catch (error) {
      prepared.discard();
      throw error;
    }
    await syncDir(paths.dir);
    return runLock;
  }

  // Puts the prepared snapshot in place, holding the DAG lock between "is the id free" and the
  // rename; takes the run's lock too when asked (after the DAG lock, as createRun then openRun).
  private async renameUnderDagLock(
    run: DagRun,
    paths: RunPaths,
    prepared: PreparedFile,
    lockRun?: (lost: Error) => void,
  ): Promise<ReleaseLock | "held" | undefined> {
    const lockPath = dagLockPath(this.location, run.dag_id);
    const release = await takeLock(paths.dir, lockPath, this.timing, "wait-briefly");
    if (release === "held") {
      throw new LockError(
        `dag "${run.dag_id}" stayed locked by another flow process creating a run`,
        {
          hint: `a lock left by a dead process goes stale after ${this.timing.staleMs / 1000} s`,
        },
      );
    }
    try {
      await this.assertRunIsNew(run, paths);
      const runLock =
        lockRun && (await takeLock(paths.snapshot, paths.lock, this.timing, "fail-fast", lockRun));
      try {
        await prepared.commit();
      } catch (error) {
        if (runLock !== undefined && runLock !== "held") await releaseLock(runLock);
        throw inaccessibleStatePath(paths.snapshot, "write", error);
      }
      return runLock;
    } finally {
      await releaseLock(release);
    }
  }

  // Refuses a run id that is taken (a journal alone counts: its snapshot was removed by hand),
  // and a scheduled or backfill run whose logical date has the other kind already: a backfill
  // and a scheduler creating the same date at once must not both run it.
  private async assertRunIsNew(run: DagRun, paths: RunPaths): Promise<void> {
    for (const runId of [run.run_id, ...automatedTwins(run)]) {
      const candidate = runId === run.run_id ? paths : runPaths(this.location, run.dag_id, runId);
      if (this.exists(candidate.snapshot) || this.exists(candidate.journal)) {
        throw new RunExistsError(
          runId === run.run_id
            ? `run "${run.run_id}" of dag "${run.dag_id}" already exists`
            : `dag "${run.dag_id}" already has run "${runId}" for the logical date of "${run.run_id}"`,
          runId,
        );
      }
    }
  }

  // Whether this process still holds the run's lock: what its writer asks before each write.
  private stillHeld(paths: RunPaths): () => boolean {
    return () => isLockStillOurs(paths.lock, this.timing.staleMs);
  }

  async openRun(dagId: string, runId: string): Promise<RunWriter> {
    const paths = runPaths(this.location, dagId, runId);
    if (!this.exists(paths.snapshot)) throw await runNotFound(this.location, dagId, runId);

    // Before takeLock, which replaces a stale lock dir: its mtime is when the owner was last seen.
    const previousOwner = await this.inspectOwner(dagId, runId);
    let writer: FileRunWriter | undefined;
    const release = await takeLock(paths.snapshot, paths.lock, this.timing, "fail-fast", (error) =>
      writer?.markLockLost(error),
    );
    if (release === "held") throw await runIsBusy(this, this.timing, dagId, runId);
    try {
      const stored = await readStoredRun(paths, dagId, runId);
      if (stored === undefined) throw await runNotFound(this.location, dagId, runId);
      if (stored.hasJournal) {
        // The last owner died without closing. Fold its journal into a snapshot now, which also
        // drops a partial last line, so our appends never land after a half-written line.
        await writeSnapshot(paths.snapshot, stored.run, stored.seq);
        await removeJournal(paths.journal);
      }
      const journal = JournalAppender.open(paths.journal);
      writer = new FileRunWriter(
        stored.run,
        stored.seq,
        paths,
        journal,
        release,
        this.stillHeld(paths),
        previousOwner,
      );
      return writer;
    } catch (error) {
      await releaseLock(release);
      throw error;
    }
  }
}

// Creates the DAG's folder if needed. Sync: one mkdir (EEXIST) and one stat, cheaper than two
// trips through the thread pool.
function ensureDagDir(paths: RunPaths): void {
  try {
    mkdirSync(paths.dir, { recursive: true });
  } catch (error) {
    throw inaccessibleStatePath(paths.dir, "create the dag folder", error);
  }
}
