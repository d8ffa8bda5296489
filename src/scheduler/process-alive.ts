import { readFileSync, readlinkSync } from "node:fs";

/**
 * Whether a process with this pid exists and has not exited. A zombie (exited, not yet reaped
 * by its parent, common in containers whose pid 1 never reaps) counts as gone: /proc says so
 * where there is one. EPERM means it exists but belongs to another user: alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return procStatFields(pid)?.[0] !== "Z";
}

/**
 * When the process started, in clock ticks since boot (/proc/<pid>/stat field 22); undefined
 * without /proc (macOS) or when it is gone. With the pid and the boot it names one process: a
 * pid the kernel gave to a new process after the first one ended has a later start.
 */
export function processStartTicks(pid: number): number | undefined {
  const start = Number(procStatFields(pid)?.[19]);
  return Number.isInteger(start) ? start : undefined;
}

let bootId: string | null | undefined;
/** The kernel's id of this boot (Linux), read once; undefined elsewhere. */
export function currentBootId(): string | undefined {
  if (bootId === undefined) {
    try {
      bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId ?? undefined;
}

let pidNamespace: number | null | undefined;
/**
 * The inode of this process's PID namespace (Linux: /proc/self/ns/pid reads `pid:[<inode>]`),
 * read once; undefined elsewhere. Containers that share a hostname and a kernel (so a boot id)
 * but not a PID namespace tell their pids apart by it: a pid means nothing in another namespace.
 */
export function currentPidNamespace(): number | undefined {
  if (pidNamespace === undefined) {
    try {
      const inode = Number(/^pid:\[(\d+)\]$/.exec(readlinkSync("/proc/self/ns/pid"))?.[1]);
      pidNamespace = Number.isSafeInteger(inode) && inode > 0 ? inode : null;
    } catch {
      pidNamespace = null;
    }
  }
  return pidNamespace ?? undefined;
}

// /proc/<pid>/stat is "pid (comm) S ppid ..."; comm may hold spaces and parentheses, so the fields
// start after the last ")": [0] is the state (field 3), [19] the start time (field 22).
function procStatFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // no /proc (macOS) or it just ended: kill(0) already answered
  }
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
