import { mkdirSync, rmdirSync, statSync, unlinkSync, utimesSync, type Stats } from "node:fs";
import {
  isLiveLocalOwner,
  isThisProcess,
  lockOwnerPath,
  type LockOwner,
  readLockOwner,
  writeLockOwner,
} from "./lock-owner.js";

type Done<T = void> = (error: NodeJS.ErrnoException | null, value?: T) => void;

// Runs a synchronous call and reports its outcome to a callback on the next tick, as fs does.
function settle<T>(call: () => T, done: Done<T>): void {
  let value: T | undefined;
  let failure: NodeJS.ErrnoException | null = null;
  try {
    value = call();
  } catch (error) {
    failure = error as NodeJS.ErrnoException;
  }
  process.nextTick(done, failure, value);
}

// When this process last set the mtime of each lock dir it holds (taken or refreshed).
const refreshedAt = new Map<string, number>();

/** The file system a lock with this stale time gives proper-lockfile. */
export type LockFs = ReturnType<typeof lockFsFor>;

/**
 * The file system proper-lockfile uses for its lock dirs, with synchronous calls behind its
 * callback API. A lock costs a mkdir, a stat and a rmdir, each a few microseconds on the main
 * thread; through the thread pool each paid far more in hand-offs, and a backfill takes two
 * locks a run. The calls and their order are proper-lockfile's; two things are ours. mkdir
 * writes the owner into the new dir. rmdir removes only our own lock or an abandoned one (see
 * lockState): proper-lockfile takes over a lock by its mtime alone, and the owner of a run
 * blocked in a sync task for longer than the stale time is alive (the QA report of a run
 * executed twice at once).
 */
export function lockFsFor(staleMs: number) {
  return {
    mkdir: (path: string, done: Done) => settle(() => createLockDir(path), done),
    rmdir: (path: string, done: Done) => settle(() => removeLockDir(path, staleMs), done),
    // At exit, for the locks proper-lockfile holds: never one that another process took over.
    rmdirSync: (path: string) => {
      if (isThisProcess(readLockOwner(path))) removeDir(path);
    },
    stat: (path: string, done: Done<Stats>) => settle(() => statSync(path), done),
    utimes: (path: string, atime: Date, mtime: Date, done: Done) =>
      settle(() => {
        utimesSync(path, atime, notAhead(mtime));
        refreshedAt.set(path, Date.now());
      }, done),
  };
}

/**
 * What a lock dir is to others: "none" (no dir), "live" (refreshed within `staleMs`, or its
 * owner is a live process of this host: a blocked event loop refreshes nothing), or
 * "abandoned" (may be taken over). Writes nothing.
 */
export function lockState(path: string, staleMs: number): "none" | "live" | "abandoned" {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return "none";
  if (isFresh(stats, staleMs)) return "live";
  return isLiveLocalOwner(readLockOwner(path)) ? "live" : "abandoned";
}

/** A lock dir as a reader sees it: lockState, with when it was last refreshed and by whom. */
export interface LockSighting {
  readonly state: "none" | "live" | "abandoned";
  /** The dir's mtime: its owner was alive then (it refreshes it every few seconds). */
  readonly refreshedAt?: Date;
  /** Who the dir names; undefined without a dir or an owner file in it. */
  readonly owner?: LockOwner;
}

/** lockState, plus the dir's mtime and owner (always read, where lockState reads it if stale). */
export function inspectLock(path: string, staleMs: number): LockSighting {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return { state: "none" };
  const owner = readLockOwner(path);
  const live = isFresh(stats, staleMs) || isLiveLocalOwner(owner);
  return {
    state: live ? "live" : "abandoned",
    refreshedAt: stats.mtime,
    ...(owner !== undefined && { owner }),
  };
}

// proper-lockfile's rule (lockfile.js isLockStale), stale time at least 2 s as there.
function isFresh(stats: Stats, staleMs: number): boolean {
  return stats.mtimeMs >= Date.now() - Math.max(staleMs, 2000);
}

/**
 * Whether this process still holds the lock it took at `path`: sync, for a writer to ask before
 * each write. Within `staleMs` of our last refresh nobody may take it; later (the event loop was
 * blocked) the dir must still name us, since proper-lockfile only notices a takeover from a timer,
 * after the code that was blocked has gone on.
 */
export function isLockStillOurs(path: string, staleMs: number): boolean {
  const refreshed = refreshedAt.get(path);
  if (refreshed !== undefined && Date.now() - refreshed < staleMs) return true;
  return isThisProcess(readLockOwner(path));
}

// mkdir, then the owner inside; a dir whose owner cannot be written is removed again.
function createLockDir(path: string): void {
  mkdirSync(path);
  try {
    writeLockOwner(path);
  } catch (error) {
    rmdirSync(path);
    throw error;
  }
  refreshedAt.set(path, Date.now());
}

function removeLockDir(path: string, staleMs: number): void {
  if (!isThisProcess(readLockOwner(path)) && lockState(path, staleMs) === "live")
    throw Object.assign(new Error(`${path} is held by a live process`), { code: "ELOCKED" });
  removeDir(path);
}

function removeDir(path: string): void {
  try {
    unlinkSync(lockOwnerPath(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  rmdirSync(path);
  refreshedAt.delete(path);
}

/**
 * proper-lockfile probes the file system's mtime precision on the first lock of each process by
 * setting the lock's mtime to the next whole second plus 5 ms: that lock looked up to a second
 * younger than it was, so after a kill -9 it went stale up to a second late (the fault suite's
 * kill -9 of a resuming `flow backfill` met it: exit 4, "is being executed by" a dead pid). The
 * probe's mtime is set to now instead; its stat still tells the precision, and every later mtime
 * proper-lockfile sets is now or in the past.
 */
function notAhead(mtime: Date): Date {
  const now = Date.now();
  return mtime.getTime() > now && mtime.getTime() % 1000 === 5 ? new Date(now) : mtime;
}
