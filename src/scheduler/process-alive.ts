import { readFileSync } from "node:fs";

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
  return !isZombie(pid);
}

// /proc/<pid>/stat is "pid (comm) S ..."; comm may hold spaces and parentheses, so take the last ")".
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false; // no /proc (macOS) or it just ended: kill(0) already answered
  }
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
}
