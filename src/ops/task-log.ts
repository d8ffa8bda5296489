import type { DagRun, TaskInstance } from "../core/run.js";
import { NotFoundError } from "../errors.js";
import { openStoreForReading } from "./open-store.js";
import { findTryLog, readLogChunk, type LogChunk, type TryQuery } from "./read-log.js";
import { readRunWith } from "./read-run.js";
import type { Workspace } from "./workspace.js";

/** A try's log as a view shows it, including "the task has not started" (no try, no chunk). */
export interface TaskLog {
  readonly run: DagRun;
  readonly instance: TaskInstance;
  /** The try read: 0 when the task has not started. */
  readonly tryNumber: number;
  /** Undefined when the try wrote no log (yet), or the task has not started. */
  readonly chunk: LogChunk | undefined;
}

/**
 * Reads `maxBytes` of a try's log from `offset` (the latest try by default). Unlike readTryLog,
 * a task that has not started is not an error: a view polls it until it starts. An unknown
 * task is a NotFoundError; a try past the last one a usage error (findTryLog's).
 */
export async function readTaskLog(
  workspace: Workspace,
  query: TryQuery,
  offset: number,
  maxBytes: number,
): Promise<TaskLog> {
  const reader = await openStoreForReading(workspace);
  const run = await readRunWith(reader, workspace, query.dagId, query.runId);
  const instance = run.tasks[query.taskId];
  if (!instance)
    throw new NotFoundError("task", query.taskId, Object.keys(run.tasks).sort(), {
      where: `run "${run.run_id}"`,
    });
  if (instance.try_number === 0 && query.tryNumber === undefined)
    return { run, instance, tryNumber: 0, chunk: undefined };
  const log = await findTryLog(workspace, { ...query, runId: run.run_id });
  return {
    run,
    instance,
    tryNumber: log.tryNumber,
    chunk: await readLogChunk(log.path, offset, maxBytes),
  };
}
