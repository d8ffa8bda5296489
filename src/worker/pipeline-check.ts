import { pipelineHash } from "../queue/pipeline-hash.js";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { QueueJobData } from "../queue/protocol.js";
import type { TaskOutcome } from "../executors/executor.js";

/** sha256 (hex) of a file's bytes (see pipelineHash); undefined when it cannot be read. */
export async function hashFile(file: string): Promise<string | undefined> {
  try {
    return pipelineHash(file);
  } catch {
    return undefined;
  }
}

/** Where a job's pipeline is: the worker's own file, or why the job cannot run it. */
export type PipelineCheck =
  | { readonly ok: true; readonly file: string }
  | { readonly ok: false; readonly outcome: TaskOutcome };

/**
 * Finds the job's pipeline under the worker's folder and compares its content hash with the one
 * the run was made from: a worker must never run another version of the task than the driver
 * planned (another DAG shape, other retries, other code).
 */
export async function checkPipeline(
  data: Pick<QueueJobData, "pipeline" | "hash" | "origin">,
  pipelinesDir: string,
  host: string,
): Promise<PipelineCheck> {
  const file = resolve(pipelinesDir, data.pipeline);
  const inside = relative(pipelinesDir, file);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    return refuse(`pipeline path "${data.pipeline}" is not inside the pipelines folder`, false);
  }
  const hash = await hashFile(file);
  if (hash === data.hash) return { ok: true, file };
  return refuse(describeMismatch({ host, file, hash, origin: data.origin, expected: data.hash }));
}

/** The one-line reason of a try whose pipeline file differs on the worker, or is missing there. */
export function describeMismatch(parts: {
  readonly host: string;
  readonly file: string;
  readonly hash: string | undefined;
  readonly expected: string;
  readonly origin: QueueJobData["origin"];
}): string {
  const made = `${parts.origin.host}:${parts.origin.file} (sha256 ${parts.expected.slice(0, 12)})`;
  const deploy = "deploy the same pipelines folder to every worker";
  if (parts.hash === undefined) {
    return `pipeline file missing on worker ${parts.host}: ${parts.file} does not exist (or cannot be read); the run was made from ${made}; ${deploy}`;
  }
  return `pipeline file differs on worker ${parts.host}: ${parts.file} (sha256 ${parts.hash.slice(0, 12)}) is not the file the run was made from, ${made}; ${deploy}`;
}

function refuse(error: string, retryable = true): PipelineCheck {
  return { ok: false, outcome: { status: "failed", error, retryable } };
}
