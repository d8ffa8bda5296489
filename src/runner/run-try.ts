import type { RunContext, TaskRuntime } from "../api/context.js";
import type { TaskSpec } from "../core/dag.js";
import type { TaskInstance } from "../core/run.js";
import type { Json } from "../core/json.js";
import type {
  Executor,
  StartedCallback,
  TaskExecution,
  TaskOutcome,
  TryFollow,
} from "../executors/executor.js";

/**
 * Runs one try on `executor` and calls `onEnded` with its outcome, once. A failure of the
 * executor itself (it threw) is a failed, retryable try, not a crash of the run.
 */
export function runTry(
  executor: Executor,
  execution: TaskExecution,
  onStarted: StartedCallback,
  onEnded: (outcome: TaskOutcome) => void,
  follow?: TryFollow,
): void {
  executor.execute(execution, onStarted, follow).then(onEnded, (error: unknown) =>
    onEnded({
      status: "failed",
      error: `flow could not run the task: ${error instanceof Error ? error.message : String(error)}`,
      retryable: true,
    }),
  );
}

/** What one try of `spec` (of the DAG in pipeline `file`) is given to run. */
export function tryExecution(
  file: string,
  dagId: string,
  spec: TaskSpec,
  run: {
    readonly context: RunContext;
    readonly results: Readonly<Record<string, Json>>;
    readonly logPath: string;
    readonly signal: AbortSignal;
    readonly runtime: TaskRuntime;
    /** The try as recorded: a queued try carries its job id and when it was queued. */
    readonly instance?: TaskInstance;
  },
): TaskExecution {
  const { instance } = run;
  return {
    ref: { file, dagId, taskId: spec.id },
    context: run.context,
    results: run.results,
    upstream: spec.upstream,
    logPath: run.logPath,
    timeoutMs: spec.timeoutMs,
    signal: run.signal,
    runtime: run.runtime,
    ...(spec.queue !== undefined && { queue: spec.queue }),
    ...(instance?.job_id !== undefined && { jobId: instance.job_id }),
    ...(instance?.queued_at !== undefined && { queuedAt: instance.queued_at }),
  };
}
