import { readFileSync } from "node:fs";

/**
 * Whether a process still runs. A zombie (exited, not yet reaped: this container's pid 1 never
 * reaps orphans) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
