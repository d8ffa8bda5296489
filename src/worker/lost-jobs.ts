import type { Redis } from "ioredis";
import { KEY_PREFIX } from "../queue/protocol.js";
import type { RunningTries } from "./running-tries.js";

/**
 * Stops the tries of `jobIds`, whose locks BullMQ could not renew (its `lockRenewalFailed`): the
 * lock is gone (Redis lost its data, or it lapsed) or another delivery's. Either way BullMQ will
 * not record this delivery's result (it fences completion by the lock), and running on would
 * start the try beside its next delivery: after Redis lost its data the driver adds the job
 * again once no worker lists the try as running, and a lapsed lock's job goes back to the queue.
 */
export async function stopLostTries(
  redis: Redis,
  queue: string,
  tries: RunningTries,
  jobIds: readonly string[],
): Promise<void> {
  for (const jobId of jobIds) {
    if (!tries.has(jobId)) continue;
    let gone: boolean;
    try {
      gone = (await redis.exists(`${KEY_PREFIX}:${queue}:${jobId}`)) === 0;
    } catch {
      continue; // Redis is away again: the next failed renewal asks again
    }
    tries.lose(
      jobId,
      gone
        ? "its job is gone from Redis (restarted without its data?); the driver queues the try again"
        : "its lock on the job was lost (the try goes back to the queue, or another worker has it)",
    );
  }
}
