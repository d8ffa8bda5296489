import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { KEY_PREFIX, queueKeys } from "../../queue/protocol.js";

/** One queue the driver adds jobs to: BullMQ's handle and flow's keys beside it. */
export interface QueueLine {
  readonly name: string;
  readonly bull: Queue;
  readonly keys: ReturnType<typeof queueKeys>;
}

/** What the driver hears from every queue's event stream. */
export interface QueueEventHandlers {
  progress(jobId: string, data: unknown): void;
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
}

type Bull = typeof import("bullmq");

/**
 * The queues a driver uses, opened on first use: the run's `--queue`, and any a task names
 * (its `queue` option, Airflow's). Each has its Queue (on the shared connection) and its
 * QueueEvents (a blocking connection of its own).
 */
export class NamedQueues {
  private readonly lines = new Map<string, Promise<QueueLine>>();
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly bull: Pick<Bull, "Queue" | "QueueEvents">,
    private readonly on: QueueEventHandlers,
  ) {}

  get(name: string): Promise<QueueLine> {
    let line = this.lines.get(name);
    if (line === undefined) {
      line = this.open(name);
      this.lines.set(name, line);
      line.catch(() => this.lines.delete(name)); // opened again on next use
    }
    return line;
  }

  /** Closes every queue's handles (the caller bounds how long it waits). */
  async close(): Promise<void> {
    await Promise.all(this.closers.map((close) => close().catch(() => {})));
  }

  private async open(name: string): Promise<QueueLine> {
    const { Queue, QueueEvents } = this.bull;
    const bull = new Queue(name, { connection: this.redis, prefix: KEY_PREFIX });
    const listener = this.redis.duplicate({ connectionName: `flow-driver-events-${name}` });
    listener.on("error", () => {}); // reconnects by itself; the checks carry on meanwhile
    const events = new QueueEvents(name, { connection: listener, prefix: KEY_PREFIX });
    // Without a listener BullMQ writes each failed reconnect to stderr as a multi-line dump (20
    // in 6 s of a Redis outage): the connections reconnect by themselves, and the driver's checks
    // carry on meanwhile (README, "Workers": tries wait and go on when Redis is back).
    bull.on("error", () => {});
    events.on("error", () => {});
    this.closers.push(async () => {
      await Promise.all([events.close(), bull.close()]);
      listener.disconnect();
    });
    events.on("progress", ({ jobId, data }) => this.on.progress(jobId, data));
    events.on("completed", ({ jobId, returnvalue }) => this.on.completed(jobId, returnvalue));
    events.on("failed", ({ jobId, failedReason }) => this.on.failed(jobId, failedReason));
    await events.waitUntilReady();
    return { name, bull, keys: queueKeys(name) };
  }
}
