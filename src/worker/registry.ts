import type { Redis } from "ioredis";
import { WORKER_HEARTBEAT_MS, WORKER_TTL_S, type WorkerEntry } from "../queue/protocol.js";
import type { RunningTries } from "./running-tries.js";

// `flow workers` lists the registry; the driver reads it too, so the reading lives in src/queue.
export { listWorkers } from "../queue/worker-list.js";

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
