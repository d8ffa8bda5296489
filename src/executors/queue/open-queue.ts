import { connectRedis } from "../../queue/redis.js";
import { NamedQueues } from "./named-queues.js";
import { QueueDriver } from "./queue-executor.js";
import type { QueueSettings } from "./settings.js";

/**
 * Connects to Redis at `redisUrl` (a QueueError, one line, when it cannot) and opens the driver's
 * queue and its event stream (a task's own queue opens when first used). BullMQ and ioredis load
 * here, only for `--executor queue`.
 */
export async function openQueueDriver(
  redisUrl: string,
  settings: QueueSettings,
): Promise<QueueDriver> {
  const redis = await connectRedis(redisUrl, { name: "flow-driver" });
  const bull = await import("bullmq");
  // The queues tell the driver what their events say; the driver is made with the queues.
  const holder: { driver?: QueueDriver } = {};
  const queues = new NamedQueues(redis, bull, {
    progress: (jobId, data) => holder.driver?.events.progress(jobId, data),
    completed: (jobId, value) => holder.driver?.events.completed(jobId, value),
    failed: (jobId, reason) => holder.driver?.events.failed(jobId, reason),
  });
  const driver = new QueueDriver(redis, queues, settings);
  holder.driver = driver;
  await queues.get(settings.queue);
  return driver;
}
