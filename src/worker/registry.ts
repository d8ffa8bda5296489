import type { Redis } from "ioredis";
import { WORKER_HEARTBEAT_MS, WORKER_TTL_S, type WorkerEntry } from "../queue/protocol.js";
import type { RunningTries } from "./running-tries.js";

/**
 * This worker's entry in the registry (`flow workers`): SET with a TTL every WORKER_HEARTBEAT_MS
 * and whenever a try starts or ends, so a worker killed with -9 drops out within WORKER_TTL_S;
 * deleted when the worker stops cleanly.
 */
export class WorkerRegistration {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly base: Omit<WorkerEntry, "heartbeat" | "running">,
    private readonly tries: RunningTries,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), WORKER_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Writes the entry now; never throws (a missed heartbeat is made up by the next). */
  beat(): Promise<unknown> {
    const entry: WorkerEntry = {
      ...this.base,
      heartbeat: new Date().toISOString(),
      running: this.tries.describe(),
    };
    this.writing = this.writing
      .then(() => this.redis.set(this.key, JSON.stringify(entry), "EX", WORKER_TTL_S))
      .catch(() => undefined);
    return this.writing;
  }

  /** Stops the heartbeat and removes the entry. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.redis.del(this.key);
  }
}

/** The live workers whose registry keys match `pattern`, oldest first. */
export async function listWorkers(redis: Redis, pattern: string): Promise<WorkerEntry[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const entries: WorkerEntry[] = [];
  for (const value of values) {
    if (value === null) continue; // expired between SCAN and MGET
    try {
      entries.push(JSON.parse(value) as WorkerEntry);
    } catch {
      // not a worker entry of ours: skip it
    }
  }
  return entries.sort(
    (a, b) =>
      a.startedAt.localeCompare(b.startedAt) || a.host.localeCompare(b.host) || a.pid - b.pid,
  );
}
