import { readFileSync } from "node:fs";
import type { Project } from "./harness.js";

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

/** Waits until `probe` gives a value, polling every `intervalMs`; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The try of `taskId` a live `flow run` is running, read from the run's journal (not through
 * flow, whose readers a test may be checking): its start and pid; undefined until it runs.
 */
export async function runningTry(
  project: Project,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<{ start: string; pid: number } | undefined> {
  const journal = await project.read(`state/runs/${dagId}/${runId}.journal`).catch(() => "");
  let latest: { state: string; start: string; pid: number | null } | undefined;
  for (const line of journal.split("\n")) {
    const task = line.trim() ? JSON.parse(line).task : undefined;
    if (task?.task_id === taskId) latest = task;
  }
  return latest?.state === "running" && latest.pid
    ? { start: latest.start, pid: latest.pid }
    : undefined;
}
