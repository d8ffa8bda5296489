import { readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isLiveLocalOwner, readLockOwner } from "../store/lock-owner.js";
import { isLockLive, releaseLock, takeLock, type LockTiming } from "../store/locks.js";
import { isProcessAlive } from "./process-alive.js";

/** The scheduler's files in the state dir. */
export interface SchedulerPaths {
  /** proper-lockfile lock (a folder): held by the one scheduler of the state dir. */
  readonly lock: string;
  /** The scheduler's pid, one line: for `status`, `stop`, and the "already running" message. */
  readonly pid: string;
  /** Where `--detach` sends the daemon's output. */
  readonly log: string;
}

export function schedulerPaths(stateDir: string): SchedulerPaths {
  return {
    lock: join(stateDir, "scheduler.lock"),
    pid: join(stateDir, "scheduler.pid"),
    log: join(stateDir, "scheduler.log"),
  };
}

// Refreshed every 2.5 s; a lock left by a process killed with -9 is stale after 10 s, or at
// once when the pidfile names a dead process. A live owner blocked longer keeps it (lockState).
const TIMING: LockTiming = { staleMs: 10_000, updateMs: 2_500 };
// A lock younger than this may belong to a scheduler that has not written its pidfile yet.
const FRESH_LOCK_MS = 1_000;
const ATTEMPTS = 6;

export type SchedulerLock =
  | { readonly held: false; readonly release: () => Promise<void> }
  /** Another live scheduler has it; its pid when the pidfile names one. */
  | { readonly held: true; readonly pid: number | null };

/**
 * Takes the state dir's scheduler lock and writes the pidfile. When another process holds the
 * lock, its pidfile is checked: a dead pid (kill -9, a reboot) or a zombie does not block, so
 * the lock is taken over without waiting for it to go stale. `onLost` is called if the lock is
 * taken away from us later (it was not refreshed in time).
 */
export async function takeSchedulerLock(
  stateDir: string,
  onLost: (error: Error) => void = () => {},
): Promise<SchedulerLock> {
  const paths = schedulerPaths(stateDir);
  let pid: number | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const release = await takeLock(stateDir, paths.lock, TIMING, "fail-fast", onLost);
    if (release !== "held") {
      await writePidFile(paths.pid, process.pid);
      return { held: false, release: () => giveUp(paths, release) };
    }
    pid = await readPidFile(paths.pid);
    if (pid !== null && isProcessAlive(pid)) return { held: true, pid };
    const age = await lockAge(paths.lock);
    if (
      age !== null &&
      age > FRESH_LOCK_MS &&
      (await readPidFile(paths.pid)) === pid &&
      !isLiveLocalOwner(readLockOwner(paths.lock))
    ) {
      // Its owner is gone: the lock of a dead scheduler, which would block us until stale.
      await rm(paths.lock, { recursive: true, force: true });
    } else {
      await sleep(300);
    }
  }
  return { held: true, pid };
}

/** What `flow scheduler status` reports. */
export type SchedulerStatus =
  | { readonly running: true; readonly pid: number; readonly since: Date }
  /** `stalePid`: a pidfile was left by a scheduler that is gone. */
  | { readonly running: false; readonly stalePid: number | null };

/**
 * Whether a scheduler runs for the state dir: its pidfile names a live process and the lock is
 * live (takeLock's rule: a scheduler whose event loop is blocked still holds it; one killed with -9
 * whose pid was given to another process does not once the lock is stale).
 */
export async function readSchedulerStatus(stateDir: string): Promise<SchedulerStatus> {
  const paths = schedulerPaths(stateDir);
  const pid = await readPidFile(paths.pid);
  if (pid === null) return { running: false, stalePid: null };
  if (!isProcessAlive(pid) || !isLockLive(paths.lock, TIMING))
    return { running: false, stalePid: pid };
  const since = await stat(paths.pid).then(
    (info) => info.mtime,
    () => new Date(),
  );
  return { running: true, pid, since };
}

/** The pid in a pidfile, or null when there is none or it is not a number. */
export async function readPidFile(path: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

// Written to a temp file and renamed, so a reader never sees it half-written.
async function writePidFile(path: string, pid: number): Promise<void> {
  const temp = `${path}.${pid}.tmp`;
  await writeFile(temp, `${pid}\n`);
  await rename(temp, path);
}

// Removes our pidfile (not a successor's), then the lock.
async function giveUp(paths: SchedulerPaths, release: () => Promise<void>): Promise<void> {
  if ((await readPidFile(paths.pid)) === process.pid) await unlink(paths.pid).catch(() => {});
  await releaseLock(release);
}

// Milliseconds since the lock was taken or last refreshed; null when there is no lock.
async function lockAge(path: string): Promise<number | null> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
