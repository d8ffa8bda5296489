import { isProcessAlive } from "./process-alive.js";
import { readSchedulerStatus } from "./scheduler-lock.js";

export type StopResult =
  | { readonly outcome: "not-running"; readonly stalePid: number | null }
  | { readonly outcome: "stopped"; readonly pid: number }
  | { readonly outcome: "still-running"; readonly pid: number };

/** Sends SIGTERM to the state dir's scheduler and waits up to `timeoutMs` for it to exit. */
export async function stopScheduler(stateDir: string, timeoutMs: number): Promise<StopResult> {
  const status = await readSchedulerStatus(stateDir);
  if (!status.running) return { outcome: "not-running", stalePid: status.stalePid };
  const { pid } = status;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return { outcome: "stopped", pid };
  }
  const until = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > until) return { outcome: "still-running", pid };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { outcome: "stopped", pid };
}
