import { closeSync, fsync, openSync, rename, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { syncDir } from "./dir-sync.js";

let writes = 0;

/** A file written and fsynced under a temp name beside its path, not yet in place. */
export interface PreparedFile {
  /** Renames the temp file over the path: atomic, and durable once the folder is fsynced. */
  commit(): Promise<void>;
  /** Removes the temp file instead. */
  discard(): void;
}

/**
 * The first half of writeFileDurably: `<path>.<pid>.<n>.tmp` holds `text` and is fsynced, so
 * a caller can do the slow part before taking a lock and only rename while it holds it. Open,
 * write and close cost microseconds and run here; the fsync waits on the disk on the thread pool.
 * A temp file left by a crash is never read (readers look at `.json` and `.journal` only).
 */
export async function prepareFile(path: string, text: string): Promise<PreparedFile> {
  const temp = `${path}.${process.pid}.${++writes}.tmp`;
  const discard = (): void => {
    try {
      unlinkSync(temp);
    } catch {
      // already gone, or never there
    }
  };
  const fd = openSync(temp, "w");
  try {
    try {
      const bytes = Buffer.from(text, "utf8");
      for (let written = 0; written < bytes.length;) {
        written += writeSync(fd, bytes, written, bytes.length - written);
      }
      await settle((done) => fsync(fd, done));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    discard();
    throw error;
  }
  // The rename may wait on the file system's journal: on the thread pool too.
  return { commit: () => settle((done) => rename(temp, path, done)), discard };
}

/**
 * Replaces `path` with `text` so that neither a crash nor a power loss ever leaves it
 * half-written: a temp file is written, fsynced and renamed over it, then the folder is fsynced
 * so the rename itself is durable.
 */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const prepared = await prepareFile(path, text);
  try {
    await prepared.commit();
  } catch (error) {
    prepared.discard();
    throw error;
  }
  await syncDir(dirname(path));
}

// An fs callback call as a promise, without util.promisify's wrapper per call.
function settle(call: (done: (error: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((error) => (error ? reject(error) : resolve())));
}
