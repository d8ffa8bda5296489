import { spawn } from "node:child_process";
import { closeSync, openSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { readSchedulerStatus, schedulerPaths } from "./scheduler-lock.js";

export interface DetachOptions {
  /** node arguments that start flow (the launcher script), then the scheduler's arguments. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  /** How long to wait for the daemon to hold the scheduler lock. */
  readonly timeoutMs: number;
}

export type DetachResult =
  | { readonly started: true; readonly pid: number; readonly log: string }
  | { readonly started: false; readonly exitCode: number | null; readonly logTail: string };

/**
 * Starts the scheduler daemon in the background: a new session (it outlives this terminal), its
 * output appended to <state>/scheduler.log. Waits until it holds the scheduler lock, or ended.
 */
export async function startDetached(options: DetachOptions): Promise<DetachResult> {
  const log = schedulerPaths(options.stateDir).log;
  const offset = sizeOf(log);
  const fd = openSync(log, "a");
  let exitCode: number | null | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(process.execPath, [...options.argv], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    pid = child.pid;
    child.on("exit", (code, signal) => (exitCode = code ?? (signal ? null : 1)));
    child.on("error", () => (exitCode = null));
    child.unref();
  } finally {
    closeSync(fd);
  }
  const until = Date.now() + options.timeoutMs;
  while (pid !== undefined && exitCode === undefined && Date.now() < until) {
    const status = await readSchedulerStatus(options.stateDir);
    if (status.running && status.pid === pid) return { started: true, pid, log };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (pid !== undefined && exitCode === undefined) process.kill(pid, "SIGTERM");
  return { started: false, exitCode: exitCode ?? null, logTail: await tail(log, offset) };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// The last lines written after `offset`: what this start printed.
async function tail(path: string, offset: number, lines = 20): Promise<string> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } finally {
    await handle.close();
  }
}
