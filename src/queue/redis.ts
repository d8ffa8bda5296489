import type { Redis, RedisOptions } from "ioredis";
import { QueueError, UsageError } from "../errors.js";

/** How long flow waits for Redis when a command starts before it says it cannot reach it. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** `redis://host:port` without a password, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/**
 * A connection to Redis at `url`, connected: BullMQ's settings (no per-command retry limit, so a
 * blocking command waits out a Redis restart) with reconnection forever once connected. Throws a
 * QueueError, one line, when Redis does not answer within `timeoutMs`: the URL, the cause, what
 * to do. ioredis is imported here, so only commands that use the queue load it.
 */
export async function connectRedis(
  url: string,
  options: { readonly name: string; readonly timeoutMs?: number } = { name: "flow" },
): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A bad value, not an unreachable Redis: exit 2, as any other bad option.
    throw new UsageError(`bad Redis URL "${url}"`, {
      hint: "write it as redis://host:port (or rediss:// for TLS), e.g. redis://127.0.0.1:6379",
    });
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new UsageError(`bad Redis URL "${url}": it must start with redis:// or rediss://`);
  const { Redis } = await import("ioredis");
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const settings: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: true,
    connectionName: options.name,
    // Reconnect forever, backing off to 2 s: a Redis restart must not end a worker or a run.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  };
  const redis = new Redis(url, settings);
  let lastError: Error | undefined;
  const onError = (error: Error): void => {
    lastError = error;
  };
  redis.on("error", onError);
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      timeoutMs,
    );
  } catch (error) {
    redis.disconnect();
    const cause = lastError ?? (error instanceof Error ? error : undefined);
    throw new QueueError(
      `cannot reach Redis at ${describeRedisUrl(url)}${cause ? ` (${cause.message})` : ""}`,
      { hint: "start redis-server there, or point --redis / FLOW_REDIS_URL at one that runs" },
    );
  }
  return redis;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
