import { open } from "node:fs/promises";
import type { Dag } from "../core/dag.js";
import type { DagRun } from "../core/run.js";
import { NotFoundError, UsageError } from "../errors.js";
import { inaccessibleStatePath, isMissing } from "../store/state-file-errors.js";
import { openStoreForReading } from "./open-store.js";
import { readRunWith } from "./read-run.js";
import type { Workspace } from "./workspace.js";

/** Which try's log: the latest run and the latest try unless given. */
export interface TryQuery {
  readonly dagId: string;
  readonly taskId: string;
  readonly runId?: string;
  readonly tryNumber?: number;
}

/** A try that ran, and where its log is. */
export interface TryLogRef {
  readonly run: DagRun;
  readonly taskId: string;
  readonly tryNumber: number;
  readonly path: string;
}

/** Bytes of a log from an offset: `nextOffset` is where the next read starts. */
export interface LogChunk {
  readonly data: Buffer;
  readonly nextOffset: number;
  /** The file's size when it was read: more may follow while the try runs. */
  readonly size: number;
}

// At most this much per read, so following a big log never holds it all in memory.
const MAX_CHUNK = 1024 * 1024;

/**
 * Finds a try of a task: an unknown task is a NotFoundError naming the run's tasks; a task that
 * has not run, or a try number past its last try, is a usage error.
 */
export async function findTryLog(
  workspace: Workspace,
  query: TryQuery,
  dag?: Dag,
): Promise<TryLogRef> {
  const { dagId, taskId } = query;
  const reader = await openStoreForReading(workspace);
  const run = await readRunWith(reader, workspace, dagId, query.runId, dag);
  const instance = run.tasks[taskId];
  if (!instance) {
    throw new NotFoundError("task", taskId, Object.keys(run.tasks).sort(), {
      where: `run "${run.run_id}"`,
    });
  }
  if (instance.try_number === 0) {
    throw new UsageError(
      `task "${taskId}" has not run in "${run.run_id}" (state ${instance.state})`,
    );
  }
  const tryNumber = query.tryNumber ?? instance.try_number;
  if (tryNumber > instance.try_number) {
    const tries = `${instance.try_number} tr${instance.try_number === 1 ? "y" : "ies"}`;
    throw new UsageError(`task "${taskId}" has ${tries} in "${run.run_id}", not ${tryNumber}`);
  }
  return {
    run,
    taskId,
    tryNumber,
    path: reader.existingLogPath(dagId, run.run_id, taskId, tryNumber),
  };
}

/**
 * Reads a log from byte `offset`, at most `maxBytes`; undefined when the try wrote no log (yet).
 * Only the bytes asked for are read, so a view can poll a growing log cheaply.
 */
export async function readLogChunk(
  path: string,
  offset: number,
  maxBytes = MAX_CHUNK,
): Promise<LogChunk | undefined> {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new UsageError(`log offset must be a whole number >= 0, got ${offset}`);
  }
  let file;
  try {
    file = await open(path, "r");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw inaccessibleStatePath(path, "read", error);
  }
  try {
    const { size } = await file.stat();
    const length = Math.max(0, Math.min(maxBytes, size - offset));
    const data = Buffer.alloc(length);
    const { bytesRead } =
      length === 0 ? { bytesRead: 0 } : await file.read(data, 0, length, offset);
    return { data: data.subarray(0, bytesRead), nextOffset: offset + bytesRead, size };
  } catch (error) {
    throw inaccessibleStatePath(path, "read", error);
  } finally {
    await file.close();
  }
}

/** A try's log from a byte offset: the try, and the chunk (undefined when it wrote no log). */
export async function readTryLog(
  workspace: Workspace,
  query: TryQuery,
  offset = 0,
  maxBytes = MAX_CHUNK,
): Promise<{ readonly log: TryLogRef; readonly chunk: LogChunk | undefined }> {
  const log = await findTryLog(workspace, query);
  return { log, chunk: await readLogChunk(log.path, offset, maxBytes) };
}
