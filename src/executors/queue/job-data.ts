import { isAbsolute, relative, sep } from "node:path";
import { pipelineHash } from "../../queue/pipeline-hash.js";
import { PROTOCOL_VERSION, type QueueJobData } from "../../queue/protocol.js";
import type { TaskKind } from "../../core/dag.js";
import type { TaskExecution, TaskOutcome } from "../executor.js";
import { formatBytes } from "../../core/format-bytes.js";
import type { QueueLine } from "./named-queues.js";

/**
 * The job for one try, or the outcome that fails the try before any job exists: a pipeline file
 * outside the pipelines folder (workers find it by its path in theirs), or a job over `limit`
 * bytes (the run's results it carries are too big). Neither is worth a retry.
 */
export function buildJobData(
  execution: TaskExecution,
  kind: TaskKind,
  where: { readonly pipelinesDir: string; readonly host: string; readonly pid: number },
  limit: number,
): { data: QueueJobData; bytes: number } | { outcome: TaskOutcome } {
  const { ref, context } = execution;
  const path = relative(where.pipelinesDir, ref.file);
  if (path.startsWith("..") || isAbsolute(path))
    return refuse(
      `pipeline ${ref.file} is outside the pipelines folder ${where.pipelinesDir}: workers find pipelines by their path in that folder`,
    );
  const data: QueueJobData = {
    v: PROTOCOL_VERSION,
    kind,
    pipeline: path.split(sep).join("/"),
    hash: pipelineHash(ref.file),
    dagId: ref.dagId,
    taskId: ref.taskId,
    runId: context.runId,
    tryNumber: context.tryNumber,
    context,
    results: execution.results,
    upstream: execution.upstream,
    timeoutMs: execution.timeoutMs ?? null,
    origin: { host: where.host, pid: where.pid, file: ref.file },
  };
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > limit)
    return refuse(
      `the job for this try is ${formatBytes(bytes)}, over the queue's limit of ${formatBytes(limit)}: the run's task results it carries are too big; return a path or a key instead of the data (FLOW_QUEUE_JOB_LIMIT raises the limit)`,
    );
  return { data, bytes };
}

function refuse(error: string): { outcome: TaskOutcome } {
  return { outcome: { status: "failed", error, retryable: false } };
}

/**
 * Adds the job of one try to its queue. Retries are flow's (`attempts: 1`); an id that exists
 * gives the existing job back (a restarted driver adopting its try).
 */
export async function addTryJob(
  line: QueueLine,
  jobId: string,
  execution: TaskExecution,
  data: QueueJobData,
): Promise<void> {
  await line.bull.add(`${execution.ref.dagId}.${execution.ref.taskId}`, data, {
    jobId,
    attempts: 1,
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 86_400 },
  });
}
