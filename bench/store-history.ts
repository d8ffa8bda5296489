// Does recording a run cost the same with an empty history as with 10,000 runs? (lessons row 10)
// Records a 10-task run (create, open, 2 saves per task, close) into a DAG with no runs and into
// one with 10,000, interleaved so disk noise hits both alike, and prints both medians.
// Usage: node --import tsx bench/store-history.ts [iterations]
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DagRun, TaskInstance } from "../src/core/run.js";
import { FileStateStore } from "../src/store/file-store.js";

const HISTORY = 10_000;
const TASKS = 10;
const ITERATIONS = Number(process.argv[2] ?? 40);

// A run of `dagId` numbered `n`, with `tasks` finished task instances.
function makeRun(dagId: string, n: number, tasks: number): DagRun {
  const logicalDate = new Date(Date.UTC(2000, 0, 1) + n * 3_600_000).toISOString();
  const instances: Record<string, TaskInstance> = {};
  for (let i = 0; i < tasks; i++) instances[`task_${i}`] = makeTask(`task_${i}`, "success");
  return {
    dag_id: dagId,
    run_id: `scheduled__${logicalDate}`,
    run_type: "scheduled",
    logical_date: logicalDate,
    data_interval_start: logicalDate,
    data_interval_end: logicalDate,
    state: tasks === 0 ? "queued" : "success",
    queued_at: logicalDate,
    start: null,
    end: null,
    reason: null,
    params: {},
    owner: null,
    tasks: instances,
  };
}

// A task instance as the runner would save it.
function makeTask(taskId: string, state: TaskInstance["state"]): TaskInstance {
  return {
    task_id: taskId,
    state,
    try_number: 1,
    max_tries: 1,
    start: "2026-01-01T00:00:00.000Z",
    end: state === "running" ? null : "2026-01-01T00:00:01.000Z",
    duration_ms: state === "running" ? null : 1000,
    exit_code: state === "running" ? null : 0,
    reason: null,
    pid: 4242,
    next_try_at: null,
    log_path: null,
  };
}

// Writes the history straight to disk (no lock, no fsync): only the setup needs to be fast.
function writeHistory(stateDir: string, dagId: string): void {
  const dir = join(stateDir, "runs", dagId);
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < HISTORY; n++) {
    const run = makeRun(dagId, n, TASKS);
    writeFileSync(join(dir, `${run.run_id}.json`), JSON.stringify({ version: 1, seq: 20, run }));
  }
}

// Records one 10-task run the way the runner does, returning the milliseconds it took.
async function recordRun(store: FileStateStore, dagId: string, n: number): Promise<number> {
  const started = performance.now();
  const run = makeRun(dagId, n, 0);
  await store.createRun(run);
  const writer = await store.openRun(dagId, run.run_id);
  for (let i = 0; i < TASKS; i++) {
    writer.saveTask(makeTask(`task_${i}`, "running"));
    writer.saveTask(makeTask(`task_${i}`, "success"));
  }
  await writer.close();
  return performance.now() - started;
}

// The middle value (mean of the two middle ones for an even count).
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const stateDir = await mkdtemp(join(tmpdir(), "flow-bench-"));
try {
  const store = await FileStateStore.open(stateDir);
  writeHistory(stateDir, "big");
  const empty: number[] = [];
  const big: number[] = [];
  // Warm up both paths (module code, first folder lookups) before measuring.
  await recordRun(store, "empty", -1);
  await recordRun(store, "big", -1);
  for (let i = 0; i < ITERATIONS; i++) {
    // Alternate which goes first so neither always follows the other's fsyncs.
    const order = i % 2 === 0 ? (["empty", "big"] as const) : (["big", "empty"] as const);
    for (const dagId of order) {
      const ms = await recordRun(store, dagId, HISTORY + i);
      (dagId === "empty" ? empty : big).push(ms);
    }
  }
  const listStarted = performance.now();
  const listed = await store.listRuns("big");
  const listMs = performance.now() - listStarted;

  const ratio = median(big) / median(empty);
  console.log(
    `record a ${TASKS}-task run (create, open, ${2 * TASKS} saves, close), ${ITERATIONS} tries each`,
  );
  console.log(`  0 runs in the dag:      median ${median(empty).toFixed(2)} ms`);
  console.log(`  ${HISTORY} runs in the dag: median ${median(big).toFixed(2)} ms`);
  console.log(`  ratio: ${ratio.toFixed(2)} (target <= 1.2)`);
  console.log(`for scale, listRuns over ${listed.length} runs: ${listMs.toFixed(0)} ms`);
  process.exitCode = ratio <= 1.2 ? 0 : 1;
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
