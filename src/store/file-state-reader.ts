import { statSync } from "node:fs";
import type { DagRun } from "../core/run.js";
import { checkLayoutMarker } from "./layout-marker.js";
import { inspectLock } from "./lock-fs.js";
import { isLockLive, type LockTiming } from "./locks.js";
import { readStoredRun } from "./run-file.js";
import type { RunRef } from "./run-refs.js";
import { listStoredRunRefs, listStoredRuns, readDirIfAny } from "./run-listing.js";
import type { OwnerSighting, StateReader } from "./state-store.js";
import { inaccessibleStatePath } from "./state-file-errors.js";
import { legacyTryLogPath, runPaths, runsDir, runLogPath, tryLogPath } from "./state-paths.js";

/** Tuning for tests; the defaults suit real use. */
export interface FileStoreOptions {
  /** A run lock not refreshed for this long is taken over (default 10 s, at least 2 s). */
  readonly lockStaleMs?: number;
  /** How often an owner refreshes its lock (default: half the stale time, at least 1 s). */
  readonly lockUpdateMs?: number;
}

/** The lock timing the options ask for. */
export function lockTimingOf(options: FileStoreOptions): LockTiming {
  return { staleMs: options.lockStaleMs ?? 10_000, updateMs: options.lockUpdateMs };
}

/**
 * Reads a state dir without writing to it: no folder or layout marker is created, no lock is
 * taken, and nothing needs write access, so `flow status` works on a state dir the user may
 * only read. FileStateStore adds the writes on top.
 */
export class FileStateReader implements StateReader {
  protected constructor(
    readonly location: string,
    protected readonly timing: LockTiming,
  ) {}

  /**
   * Opens a state dir for reading. One that does not exist reads as empty; one whose layout
   * marker names another version is refused (StateFileError), as a writer refuses it.
   */
  static async openForReading(
    stateDir: string,
    options: FileStoreOptions = {},
  ): Promise<FileStateReader> {
    await checkLayoutMarker(stateDir);
    return new FileStateReader(stateDir, lockTimingOf(options));
  }

  async listDagIds(): Promise<string[]> {
    const entries = await readDirIfAny(runsDir(this.location));
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  }

  listRuns(dagId: string): Promise<DagRun[]> {
    return listStoredRuns(this.location, dagId);
  }

  listRunRefs(dagId: string): Promise<RunRef[]> {
    return listStoredRunRefs(this.location, dagId);
  }

  async getRun(dagId: string, runId: string): Promise<DagRun | undefined> {
    return (await readStoredRun(runPaths(this.location, dagId, runId), dagId, runId))?.run;
  }

  // The rule openRun's takeLock applies: a lock dir refreshed within the stale time, or naming
  // a live process of this host, is alive.
  async hasLiveOwner(dagId: string, runId: string): Promise<boolean> {
    return isLockLive(runPaths(this.location, dagId, runId).lock, this.timing);
  }

  // Two stats and a small read. The lock's mtime is the better sign of life (a task may run for
  // hours without a change to record); the journal's stands in when the lock dir is gone.
  async inspectOwner(dagId: string, runId: string): Promise<OwnerSighting> {
    const paths = runPaths(this.location, dagId, runId);
    let lock;
    try {
      lock = inspectLock(paths.lock, this.timing.staleMs);
    } catch (error) {
      throw inaccessibleStatePath(paths.lock, "check the lock", error);
    }
    const journal = this.modifiedAt(paths.journal);
    const seen = [lock.refreshedAt, journal].filter((at): at is Date => at !== undefined);
    const lastSeen = seen.sort((a, b) => b.getTime() - a.getTime())[0];
    return {
      live: lock.state === "live",
      ...(lock.owner !== undefined && { owner: lock.owner }),
      ...(lastSeen !== undefined && { lastSeen }),
    };
  }

  runLogPath(dagId: string, runId: string): string {
    return runLogPath(this.location, dagId, runId);
  }

  logPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    return tryLogPath(this.location, dagId, runId, taskId, tryNumber);
  }

  existingLogPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
    const path = this.logPath(dagId, runId, taskId, tryNumber);
    if (this.exists(path)) return path;
    const legacy = legacyTryLogPath(path, taskId, tryNumber);
    return this.exists(legacy) ? legacy : path;
  }

  /**
   * Whether a path exists; other errors (permissions) are reported, not taken for "no". A sync
   * stat costs microseconds; through the thread pool it cost more in hand-offs than in the call.
   */
  protected exists(path: string): boolean {
    return this.modifiedAt(path) !== undefined;
  }

  /** When a file was last written; undefined when it does not exist (other errors: exists'). */
  private modifiedAt(path: string): Date | undefined {
    try {
      return statSync(path, { throwIfNoEntry: false })?.mtime;
    } catch (error) {
      throw inaccessibleStatePath(path, "stat", error);
    }
  }
}
