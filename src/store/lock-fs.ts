import { mkdirSync, rmdirSync, statSync, utimesSync, type Stats } from "node:fs";

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

/**
 * The file system proper-lockfile uses for its lock dirs, with synchronous calls behind its
 * callback API. A lock costs a mkdir, a stat and a rmdir, each a few microseconds on the main
 * thread; through the thread pool each paid far more in hand-offs, and a backfill takes two
 * locks a run. The calls, their order and so the locking protocol are proper-lockfile's own.
 */
export const lockFs = {
  mkdir: (path: string, done: Done) => settle(() => void mkdirSync(path), done),
  rmdir: (path: string, done: Done) => settle(() => rmdirSync(path), done),
  rmdirSync: (path: string) => rmdirSync(path),
  stat: (path: string, done: Done<Stats>) => settle(() => statSync(path), done),
  utimes: (path: string, atime: Date, mtime: Date, done: Done) =>
    settle(() => utimesSync(path, atime, notAhead(mtime)), done),
};

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
