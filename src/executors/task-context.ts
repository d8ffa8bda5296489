import { dirname } from "node:path";
import type { ConnectionLookup, TaskContext, TaskLogger, TaskRuntime } from "../api/context.js";
import type { Json } from "../core/json.js";
import type { TaskExecution } from "./executor.js";

const NO_RESULTS: Readonly<Record<string, Json>> = Object.freeze({});

/**
 * The `ctx` a function task (or a bash command given as a function) receives for one try.
 * Fields are listed one by one rather than spread: V8 builds such a literal on its fast path,
 * and function tasks are meant to cost microseconds. `signal` may be a getter, so that it is
 * only created when the task reads it.
 */
export function buildTaskContext(
  execution: TaskExecution,
  log: TaskLogger,
  signal: AbortSignal | (() => AbortSignal),
  connection: ConnectionLookup,
): TaskContext {
  const { context: c, results } = execution;
  return {
    dagId: c.dagId,
    runId: c.runId,
    runType: c.runType,
    taskId: c.taskId,
    tryNumber: c.tryNumber,
    maxTries: c.maxTries,
    logicalDate: c.logicalDate,
    ds: c.ds,
    dsNodash: c.dsNodash,
    ts: c.ts,
    tsNodash: c.tsNodash,
    dataIntervalStart: c.dataIntervalStart,
    dataIntervalEnd: c.dataIntervalEnd,
    prevDataIntervalStart: c.prevDataIntervalStart,
    prevDataIntervalEnd: c.prevDataIntervalEnd,
    nextDataIntervalStart: c.nextDataIntervalStart,
    nextDataIntervalEnd: c.nextDataIntervalEnd,
    params: c.params,
    upstream: upstreamResults(execution),
    pull: (taskId) => (Object.hasOwn(results, taskId) ? results[taskId] : undefined),
    log,
    get signal() {
      return typeof signal === "function" ? signal() : signal;
    },
    connection,
    pipelineDir: dirname(execution.ref.file),
    runtime: execution.runtime ?? detachedRuntime(execution.ref.file),
  };
}

// For an execution the runner did not give a runtime (a worker's, a test of one executor): no
// state to read, and no pipelines folder it may look DAGs up in.
function detachedRuntime(file: string): TaskRuntime {
  const unavailable = (): Promise<never> =>
    Promise.reject(new Error("flow's state is not available to this task"));
  return { pipelineDir: dirname(file), taskState: unavailable, findDag: unavailable };
}

// Only direct upstream tasks that produced a result, like Airflow's XCom of the upstream tasks.
function upstreamResults({ upstream, results }: TaskExecution): Readonly<Record<string, Json>> {
  if (upstream.length === 0) return NO_RESULTS;
  const found: Record<string, Json> = {};
  for (const id of upstream) {
    if (Object.hasOwn(results, id)) found[id] = results[id]!;
  }
  return found;
}
