import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { queueKeys } from "./protocol.js";

/**
 * Asks that the try of job `jobId` stop: a key (for a worker that takes the job later, or takes
 * it again after its worker was lost) and a message on the cancel channel (for the worker that
 * runs it now, which stops the task's process tree and completes the job as cancelled). A job no
 * worker has taken is removed at once: resolves true then, false when a worker has it.
 */
export async function requestCancel(
  redis: Redis,
  bull: Queue,
  queue: string,
  jobId: string,
): Promise<boolean> {
  const keys = queueKeys(queue);
  await redis.set(keys.cancelled(jobId), "1", "EX", 86_400);
  await redis.publish(keys.cancel, jobId);
  return (await bull.remove(jobId)) === 1;
}

/**
 * Stops the tries of `jobIds` on queue `queue` of the Redis at `redisUrl` (see requestCancel),
 * for a command that is not driving them (`flow clear` of a try a worker still runs). Throws a
 * QueueError when Redis cannot be reached.
 */
export async function cancelJobs(
  redisUrl: string,
  queue: string,
  jobIds: readonly string[],
): Promise<void> {
  const { connectRedis } = await import("./redis.js");
  const redis = await connectRedis(redisUrl, { name: "flow-cancel", timeoutMs: 3_000 });
  const { Queue } = await import("bullmq");
  const { KEY_PREFIX } = await import("./protocol.js");
  const bull = new Queue(queue, { connection: redis, prefix: KEY_PREFIX });
  try {
    for (const jobId of jobIds) await requestCancel(redis, bull, queue, jobId);
  } finally {
    await bull.close().catch(() => {});
    redis.disconnect();
  }
}
