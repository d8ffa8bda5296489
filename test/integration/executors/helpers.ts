import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import type { RunContext } from "../../../src/api/context.js";
import type { Task } from "../../../src/api/definitions.js";
import type { Json } from "../../../src/core/json.js";
import type { TaskExecution, TaskOutcome, TaskResolver } from "../../../src/executors/executor.js";
import type { Executor } from "../../../src/executors/executor.js";

/** Absolute path of a script in test/fixtures/executors. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/executors/${name}`, import.meta.url));
}

// The temp folders made for the test file that imports this; removed once its tests are done
// (3,000 were left in /tmp by earlier runs, some of 50 MB: a big-log test).
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temp folder (`prefix` then random), removed after the test file's last test. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A fresh temp folder standing in for a project: pipelines/ holds the (virtual) pipeline file. */
export function makeProject(): { dir: string; pipelineFile: string } {
  const dir = tempDir("flow-executors-");
  return { dir, pipelineFile: join(dir, "pipelines", "demo.ts") };
}

/** A resolver over tasks built in the test, answering synchronously as the loader's does. */
export function resolverFor(...tasks: Task[]): TaskResolver {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return { resolve: (ref) => byId.get(ref.taskId)! };
}

export function runContext(taskId: string, overrides: Partial<RunContext> = {}): RunContext {
  return {
    dagId: "demo",
    runId: "manual__2026-01-02T00:00:00.000Z",
    runType: "manual",
    taskId,
    tryNumber: 1,
    maxTries: 1,
    logicalDate: "2026-01-02T00:00:00.000Z",
    ds: "2026-01-02",
    dsNodash: "20260102",
    ts: "2026-01-02T00:00:00+00:00",
    tsNodash: "20260102T000000",
    dataIntervalStart: "2026-01-02T00:00:00.000Z",
    dataIntervalEnd: "2026-01-03T00:00:00.000Z",
    prevDataIntervalStart: null,
    prevDataIntervalEnd: null,
    nextDataIntervalStart: null,
    nextDataIntervalEnd: null,
    params: { region: "eu" },
    ...overrides,
  };
}

export interface ExecutionOptions {
  readonly project: { dir: string; pipelineFile: string };
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly results?: Record<string, Json>;
  readonly upstream?: string[];
  readonly context?: Partial<RunContext>;
}

/** One try of `task`, logging to <project>/logs/<task>/<try>.log. */
export function makeExecution(task: Task, options: ExecutionOptions): TaskExecution {
  const context = runContext(task.id, options.context);
  return {
    ref: { file: options.project.pipelineFile, dagId: context.dagId, taskId: task.id },
    context,
    results: options.results ?? {},
    upstream: options.upstream ?? [],
    logPath: join(options.project.dir, "logs", task.id, `${context.tryNumber}.log`),
    timeoutMs: options.timeoutMs,
    signal: options.signal ?? new AbortController().signal,
  };
}

/** Runs one try and returns its outcome, the pids reported as started, and its log text. */
export async function runTry(
  executor: Executor,
  execution: TaskExecution,
): Promise<{ outcome: TaskOutcome; pids: number[]; log: string }> {
  const pids: number[] = [];
  const outcome = await executor.execute(execution, ({ pid }) => pids.push(pid));
  return { outcome, pids, log: readLog(execution.logPath) };
}

/** The log's text, or "" when the try wrote none. */
export function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * True while `pid` runs. A zombie counts as gone: it has exited, and in containers whose pid 1
 * never reaps, orphaned processes stay zombies forever.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return process.platform === "linux" ? false : true;
  }
}

/** Pids written one per line to `file`, once there are at least `count` of them. */
export async function waitForPids(
  file: string,
  count: number,
  timeoutMs = 5000,
): Promise<number[]> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const pids = readLog(file).split("\n").filter(Boolean).map(Number);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) throw new Error(`only ${pids.length} of ${count} pids in ${file}`);
    await sleep(20);
  }
}

/** Waits until `check` holds, polling. */
export async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(20)) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parent pid of a live process (Linux). */
export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}
