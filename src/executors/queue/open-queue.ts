import { connectRedis } from "../../queue/redis.js";
import { KEY_PREFIX } from "../../queue/protocol.js";
import { QueueDriver } from "./queue-executor.js";
import type { QueueSettings } from "./settings.js";

/**
 * Connects to Redis at `redisUrl` (a QueueError, one line, when it cannot) and opens the queue
 * and its event stream. BullMQ and ioredis load here, only for `--executor queue`.
 */
export async function openQueueDriver(
  redisUrl: string,
  settings: QueueSettings,
): Promise<QueueDriver> {
  const redis = await connectRedis(redisUrl, { name: "flow-driver" });
  const { Queue, QueueEvents } = await import("bullmq");
  const bull = new Queue(settings.queue, { connection: redis, prefix: KEY_PREFIX });
  const listener = redis.duplicate({ connectionName: "flow-driver-events" });
  listener.on("error", () => {}); // reconnects by itself; the checks carry on meanwhile
  const events = new QueueEvents(settings.queue, { connection: listener, prefix: KEY_PREFIX });
  await events.waitUntilReady();
  return new QueueDriver(redis, bull, events, settings, () => listener.disconnect());
}
