import { lockFsFor, lockState } from "./lock-fs.js";
import { inaccessibleStatePath } from "./state-file-errors.js";

/** Releases a lock taken with takeLock. */
export type ReleaseLock = () => Promise<void>;

/** How long a lock whose owner stopped refreshing it blocks others. */
export interface LockTiming {
  /** A lock not refreshed for this long is stale and may be taken over (proper-lockfile: >= 2000). */
  readonly staleMs: number;
  /** How often the owner refreshes it; at most staleMs / 2. */
  readonly updateMs?: number;
}

/** How hard to try before giving up on a lock someone else holds. */
export type LockWait = "fail-fast" | "wait-briefly";

// Short waits for the DAG-level create lock: it is held for one stat and one small write.
// proper-lockfile, with the graceful-fs and signal-exit it brings, costs ~3 ms to evaluate: it
// loads on the first lock taken or checked, which commands that read finished runs never need
// (bench W7).
let loading: Promise<typeof import("proper-lockfile")> | undefined;
async function properLockfile(): Promise<typeof import("proper-lockfile")> {
  return (loading ??= import("proper-lockfile").then((module) => module.default));
}

const BRIEF_RETRIES = { retries: 60, factor: 1.5, minTimeout: 5, maxTimeout: 100, randomize: true };

/**
 * Takes a proper-lockfile lock: an atomic mkdir of `lockPath`, whose mtime the owner refreshes
 * every `updateMs`. A lock left by a process killed with -9 stops being refreshed and is taken
 * over once older than `staleMs`, unless the owner it names is a live process of this host (its
 * event loop was blocked: see lockState). Resolves "held" when a live owner has it.
 */
export async function takeLock(
  target: string,
  lockPath: string,
  timing: LockTiming,
  wait: LockWait,
  onCompromised: (error: Error) => void = () => {},
): Promise<ReleaseLock | "held"> {
  const lockfile = await properLockfile();
  try {
    return await lockfile.lock(target, {
      lockfilePath: lockPath,
      // The target (a snapshot not yet written, a folder) need not exist; no realpath lookup.
      realpath: false,
      stale: timing.staleMs,
      update: timing.updateMs,
      retries: wait === "fail-fast" ? 0 : BRIEF_RETRIES,
      // The default throws from a timer, killing the process; the owner decides instead.
      onCompromised,
      fs: lockFsFor(timing.staleMs),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") return "held";
    throw inaccessibleStatePath(lockPath, "take the lock", error);
  }
}

/**
 * Releases a lock, ignoring one that was already lost (compromised) or released, and one that
 * another process took over (ELOCKED: its dir is theirs now and stays).
 */
export async function releaseLock(release: ReleaseLock): Promise<void> {
  try {
    await release();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERELEASED" && code !== "ELOCKED") throw error;
  }
}

/**
 * Whether a live process holds the lock: its lock dir exists and was refreshed within
 * `staleMs`, or names a live process of this host. The rule takeLock applies (lockState), so a
 * reader calls a lock dead exactly when a writer would take it over. Writes nothing.
 */
export function isLockLive(lockPath: string, timing: LockTiming): boolean {
  try {
    return lockState(lockPath, timing.staleMs) === "live";
  } catch (error) {
    throw inaccessibleStatePath(lockPath, "check the lock", error);
  }
}
