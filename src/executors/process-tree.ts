import { listProcesses, readProcess, type ProcessInfo } from "./process-table.js";

const POLL_MS = 20;
const KILL_WAIT_MS = 2000;

/** Live descendants of `rootPid` (not the root itself), parents before children. */
export function listDescendants(rootPid: number): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of listProcesses()) {
    if (info.zombie) continue;
    const siblings = children.get(info.ppid);
    if (siblings) siblings.push(info);
    else children.set(info.ppid, [info]);
  }
  const found: ProcessInfo[] = [];
  for (let queue = [rootPid]; queue.length > 0;) {
    const next: number[] = [];
    for (const pid of queue) {
      for (const child of children.get(pid) ?? []) {
        found.push(child);
        next.push(child.pid);
      }
    }
    queue = next;
  }
  return found;
}

/** Live members of a process group. */
export function listGroup(pgid: number): ProcessInfo[] {
  return listProcesses().filter((info) => info.pgid === pgid && !info.zombie);
}

/**
 * Zombies count as gone: they have exited, and in containers whose pid 1 never reaps, orphans
 * stay zombies forever. A recorded start time guards against a recycled pid.
 */
export function isAlive(info: ProcessInfo): boolean {
  const now = readProcess(info.pid);
  return now !== undefined && !now.zombie && (info.start === undefined || now.start === info.start);
}

/**
 * SIGTERM every process at once, wait up to `graceMs` for them to exit, SIGKILL the survivors.
 * All at once rather than parents first, so a dying parent cannot spawn replacements unseen.
 */
export async function terminateProcesses(
  processes: readonly ProcessInfo[],
  graceMs: number,
): Promise<void> {
  let alive = processes.filter((info) => signal(info, "SIGTERM"));
  for (const deadline = Date.now() + graceMs; alive.length > 0 && Date.now() < deadline;) {
    await delay(POLL_MS);
    alive = alive.filter(isAlive);
  }
  alive = alive.filter((info) => isAlive(info) && signal(info, "SIGKILL"));
  // SIGKILL takes effect when the target is next scheduled; wait so callers see them gone.
  // Bounded: a process stuck in uninterruptible sleep dies only when its I/O returns.
  for (const deadline = Date.now() + KILL_WAIT_MS; alive.length > 0 && Date.now() < deadline;) {
    await delay(POLL_MS);
    alive = alive.filter(isAlive);
  }
}

// False when the process is already gone (or not ours to signal).
function signal(info: ProcessInfo, name: NodeJS.Signals): boolean {
  try {
    process.kill(info.pid, name);
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
