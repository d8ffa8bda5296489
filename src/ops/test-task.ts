import { buildRunContext } from "../core/context.js";
import { neighboursOf } from "../core/dag-timetable.js";
import type { Json } from "../core/json.js";
import { newManualRun } from "../core/manual-run.js";
import type { DagRun } from "../core/run.js";
import { NotFoundError } from "../errors.js";
import type { TaskOutcome } from "../executors/executor.js";
import type { LoadedDag, PipelineSet } from "../loader/load-pipelines.js";
import { LoadedTaskResolver } from "../loader/module-resolver.js";
import { makeTaskRuntime, runOfDate } from "../runner/task-runtime.js";
import { findDag } from "./load-dag.js";
import { openStoreForReading } from "./open-store.js";
import type { Workspace } from "./workspace.js";

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
 * the context is the one a manual run for `date` would give its first try. As Airflow's reads
 * the XComs of the run, `ctx.upstream` and `ctx.pull` read the results stored in the run of that
 * logical date (the scheduled or backfill one, else the newest manual one), when there is one.
 * `ctx.runtime` is a run's, read-only: other DAGs' task states through a reader of the state dir
 * (one that does not exist reads as empty) and DAGs looked up in the pipelines folder, so an
 * externalTask sensor pokes as it does in a run. An unknown task is a NotFoundError. Nothing is
 * written to the state dir.
 */
export async function testTask(
  workspace: Workspace,
  pipelines: PipelineSet,
  loaded: LoadedDag,
  request: TestTaskRequest,
): Promise<TestTaskResult> {
  const now = workspace.now();
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
  // Read-only: neither the results nor ctx.runtime can create or change a file of the state dir.
  const reader = await openStoreForReading(workspace);
  const source = await runOfDate(reader, dag.id, run.logical_date);
  const results = resultsOf(source);
  const resolver = new LoadedTaskResolver(pipelines);
  const executor =
    spec.kind === "bash"
      ? new (await import("../executors/bash.js")).BashExecutor(resolver)
      : new (await import("../executors/function.js")).FunctionExecutor(resolver, {
          env: workspace.env,
          stateDir: workspace.stateDir,
        });
  try {
    const outcome = await executor.execute(
      {
        ref: { file: loaded.file, dagId: dag.id, taskId },
        context: buildRunContext(run, taskId, 1, 1, neighboursOf(dag, run)),
        results,
        upstream: spec.upstream,
        logPath: request.logPath,
        timeoutMs: spec.timeoutMs,
        signal: request.signal,
        runtime: makeTaskRuntime(loaded.file, reader, (id) => findDag(workspace, id)),
      },
      () => undefined,
    );
    return { outcome, resultsFrom: source?.run_id ?? null };
  } finally {
    await executor.close();
  }
}

/** What `flow test` did: the try's outcome, and the run whose results the task could read. */
export interface TestTaskResult {
  readonly outcome: TaskOutcome;
  /** The run of the same logical date whose results fed ctx.upstream; null when there is none. */
  readonly resultsFrom: string | null;
}

function resultsOf(run: DagRun | undefined): Record<string, Json> {
  const results: Record<string, Json> = {};
  if (run === undefined) return results;
  for (const instance of Object.values(run.tasks))
    if (instance.result !== undefined) results[instance.task_id] = instance.result;
  return results;
}
