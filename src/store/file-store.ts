import { mkdirSync, statSync } from "node:fs";
import { access, constants, mkdir, readdir } from "node:fs/promises";
import { hostname } from "node:os";
import { basename } from "node:path";
import type { DagRun } from "../core/run.js";
import { LockError, NotFoundError, RunExistsError } from "../errors.js";
import { automatedTwins } from "./automated-twins.js";
import { FileRunWriter, removeJournal } from "./file-run-writer.js";
import { JournalAppender } from "./journal-appender.js";
import { ensureLayoutMarker } from "./layout-marker.js";
import { releaseLock, takeLock, type LockTiming, type ReleaseLock } from "./locks.js";
import { readStoredRun } from "./run-file.js";
import { syncDir } from "./dir-sync.js";
import type { PreparedFile } from "./durable-write.js";
import { prepareSnapshot, writeSnapshot } from "./snapshot.js";
import type { RunWriter, StateStore } from "./state-store.js";
import { inaccessibleStatePath, isMissing } from "./state-file-errors.js";
import {
  dagDir,
  dagLockPath,
  runPaths,
  runsDir,
  runLogPath,
  tryLogPath,
  type RunPaths,
} from "./state-paths.js";
import { SerialQueue } from "./serial-queue.js";
import { sortRuns } from "./sort-runs.js";

/** Tuning for tests; the defaults suit real use. */
export interface FileStoreOptions {
  /** A run lock not refreshed for this long is taken over (default 10 s, at least 2 s). */
  readonly lockStaleMs?: number;
  /** How often an owner refreshes its lock (default: half the stale time, at least 1 s). */
  readonly lockUpdateMs?: number;
}

// Runs read between two turns of the event loop while listing.
const READ_BATCH = 64;

/**
 * The state dir on disk: one snapshot + journal per run under `runs/<dag>/`, so recording a
 * run costs the same with 10 or 10,000 runs in the history (lessons-from-peers row 10), and
 * every write happens under an inter-process lock with stale detection (row 9).
 */
export class FileStateStore implements StateStore {
  private readonly creating = new SerialQueue();

  private constructor(
    readonly location: string,
    private readonly timing: LockTiming,
  ) {}

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
    const timing = { staleMs: options.lockStaleMs ?? 10_000, updateMs: options.lockUpdateMs };
    return new FileStateStore(stateDir, timing);
  }

  async listDagIds(): Promise<string[]> {
    const entries = await readDirIfAny(runsDir(this.location));
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  }

  async listRuns(dagId: string): Promise<DagRun[]> {
    const entries = await readDirIfAny(dagDir(this.location, dagId));
    const names = new Set(entries.filter((entry) => entry.isFile()).map((entry) => entry.name));
    const runIds = runIdsIn(names);
    const runs: DagRun[] = [];
    // In batches: the event loop (lock refresh timers) gets a turn between them.
    for (let i = 0; i < runIds.length; i += READ_BATCH) {
      const batch = runIds.slice(i, i + READ_BATCH).map(async (runId) => {
        const paths = runPaths(this.location, dagId, runId);
        const mayHaveJournal = names.has(basename(paths.journal));
        return (await readStoredRun(paths, dagId, runId, mayHaveJournal))?.run;
      });
      for (const run of await Promise.all(batch)) if (run !== undefined) runs.push(run);
    }
    return sortRuns(runs);
  }

  async getRun(dagId: string, runId: string): Promise<DagRun | undefined> {
    return (await readStoredRun(runPaths(this.location, dagId, runId), dagId, runId))?.run;
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
    if (release === "held") throw await this.runIsBusy(run.dag_id, run.run_id);
    if (release === undefined) throw new Error("bug: create() took no run lock");
    try {
      writer = new FileRunWriter(run, 0, paths, JournalAppender.open(paths.journal), release);
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
      if ((await exists(candidate.snapshot)) || (await exists(candidate.journal))) {
        throw new RunExistsError(
          runId === run.run_id
            ? `run "${run.run_id}" of dag "${run.dag_id}" already exists`
            : `dag "${run.dag_id}" already has run "${runId}" for the logical date of "${run.run_id}"`,
          runId,
        );
      }
    }
  }

  async openRun(dagId: string, runId: string): Promise<RunWriter> {
    const paths = runPaths(this.location, dagId, runId);
    if (!(await exists(paths.snapshot))) throw await this.runNotFound(dagId, runId);

    let writer: FileRunWriter | undefined;
    const release = await takeLock(paths.snapshot, paths.lock, this.timing, "fail-fast", (error) =>
      writer?.markLockLost(error),
    );
    if (release === "held") throw await this.runIsBusy(dagId, runId);
    try {
      const stored = await readStoredRun(paths, dagId, runId);
      if (stored === undefined) throw await this.runNotFound(dagId, runId);
      if (stored.hasJournal) {
        // The last owner died without closing. Fold its journal into a snapshot now, which also
        // drops a partial last line, so our appends never land after a half-written line.
        await writeSnapshot(paths.snapshot, stored.run, stored.seq);
        await removeJournal(paths.journal);
      }
      const journal = JournalAppender.open(paths.journal);
      writer = new FileRunWriter(stored.run, stored.seq, paths, journal, release);
      return writer;
    } catch (error) {
      await releaseLock(release);
      throw error;
    }
  }

  runLogPath(dagId: string, runId: string): string {
    return runLogPath(this.location, dagId, runId);
  }

  logPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    return tryLogPath(this.location, dagId, runId, taskId, tryNumber);
  }

  // Run ids of a DAG from its snapshot (and journal) file names.
  private async listRunIds(dagId: string): Promise<string[]> {
    const entries = await readDirIfAny(dagDir(this.location, dagId));
    return runIdsIn(entries.filter((entry) => entry.isFile()).map((entry) => entry.name));
  }

  // The error for a run that does not exist, listing the ones that do.
  private async runNotFound(dagId: string, runId: string): Promise<NotFoundError> {
    const known = (await this.listRunIds(dagId)).sort();
    return new NotFoundError("run", runId, known, { where: `dag "${dagId}"` });
  }

  // The error for a run another live process holds, naming it from the run's owner field.
  private async runIsBusy(dagId: string, runId: string): Promise<LockError> {
    const owner = await this.getRun(dagId, runId).then(
      (run) => run?.owner ?? null,
      () => null,
    );
    const where =
      owner === null
        ? ""
        : owner.hostname === hostname()
          ? ` (pid ${owner.pid})`
          : ` (pid ${owner.pid} on ${owner.hostname})`;
    return new LockError(
      `run "${runId}" of dag "${dagId}" is being run by another flow process${where}`,
      {
        hint: `if that process is gone, its lock goes stale after ${this.timing.staleMs / 1000} s`,
      },
    );
  }
}

// Run ids from the file names of a DAG folder: one per snapshot (`<run_id>.json`), and one per
// journal without a snapshot beside it, so that reading that run reports the broken pair
// (a snapshot exists before its journal is created and is only ever replaced by a rename; a
// listing that raced such a rename finds the snapshot when the run is read).
function runIdsIn(names: Iterable<string>): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    if (name.startsWith(".")) continue;
    if (name.endsWith(".json")) ids.add(name.slice(0, -".json".length));
    else if (name.endsWith(".journal")) ids.add(name.slice(0, -".journal".length));
  }
  return [...ids];
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

// Entries of a folder; none when it does not exist yet.
async function readDirIfAny(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw inaccessibleStatePath(dir, "list", error);
  }
}

// Whether a path exists; other errors (permissions) are reported, not taken for "no". A sync
// stat costs microseconds; through the thread pool it cost more in hand-offs than in the call.
async function exists(path: string): Promise<boolean> {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (error) {
    throw inaccessibleStatePath(path, "stat", error);
  }
}
