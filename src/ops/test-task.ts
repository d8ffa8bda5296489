import { buildRunContext } from "../core/context.js";
import { neighboursOf } from "../core/dag-timetable.js";
import type { Json } from "../core/json.js";
import { newManualRun } from "../core/manual-run.js";
import { NotFoundError } from "../errors.js";
import type { TaskOutcome } from "../executors/executor.js";
import type { LoadedDag, PipelineSet } from "../loader/load-pipelines.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";

/** What `flow test` runs: one task of a DAG, for a date, with params, its log to `logPath`. */
export interface TestTaskRequest {
  readonly taskId: string;
  readonly date?: Date;
  readonly params?: Readonly<Record<string, Json>>;
  readonly logPath: string;
  /** Aborting it stops the task (its process tree). */
  readonly signal: AbortSignal;
}

/**
 * Runs one task now, ignoring its dependencies and recording nothing (Airflow's `tasks test`):
 * the context is the one a manual run for `date` would give its first try, with no upstream
 * results. An unknown task is a NotFoundError. Returns the try's outcome.
 */
export async function testTask(
  pipelines: PipelineSet,
  loaded: LoadedDag,
  request: TestTaskRequest,
  now: Date,
): Promise<TaskOutcome> {
  const { dag } = loaded;
  const { taskId } = request;
  const spec = dag.tasks.get(taskId);
  if (!spec)
    throw new NotFoundError("task", taskId, [...dag.tasks.keys()], { where: `dag "${dag.id}"` });
  const run = newManualRun(
    dag,
    {
      ...(request.date && { date: request.date }),
      ...(request.params && { params: request.params }),
    },
    now,
  );
  const resolver = new LoadedTaskResolver(pipelines);
  const executor =
    spec.kind === "bash"
      ? new (await import("../executors/bash.js")).BashExecutor(resolver)
      : new (await import("../executors/function.js")).FunctionExecutor(resolver);
  try {
    return await executor.execute(
      {
        ref: { file: loaded.file, dagId: dag.id, taskId },
        context: buildRunContext(run, taskId, 1, 1, neighboursOf(dag, run)),
        results: {},
        upstream: spec.upstream,
        logPath: request.logPath,
        timeoutMs: spec.timeoutMs,
        signal: request.signal,
      },
      () => undefined,
    );
  } finally {
    await executor.close();
  }
}
