import type { Redis } from "ioredis";
import type { QueueJobStarted } from "../../queue/protocol.js";
import type { QueueLine } from "./named-queues.js";
import type { StartedCallback, TaskExecution, TaskOutcome } from "../executor.js";
import { LogReceiver } from "./log-receiver.js";
import type { TaskKind } from "../../core/dag.js";

/** One try in flight on the queue: its job, its log, and the outcome it settles with once. */
export class Flight {
  readonly log: LogReceiver;
  readonly outcome: Promise<TaskOutcome>;
  /** Set while the outcome is being settled (the log drained): checks leave it alone. */
  settling = false;
  /** Since when the started try's job has had no worker's lock (see checkOrphaned). */
  unlockedSince: number | undefined;
  /** Since when the try's job has been gone from Redis (see LostJobs). */
  lostSince: number | undefined;
  /** The latest delivery of the try known to have started (1 for its first start). */
  starts = 0;
  private resolve!: (outcome: TaskOutcome) => void;
  private startedBy: string | undefined;
  private done = false;

  constructor(
    readonly jobId: string,
    readonly kind: TaskKind,
    readonly execution: TaskExecution,
    private readonly onStarted: StartedCallback,
    readonly queuedAt: number,
    redis: Redis,
    /** The queue its job is on. */
    readonly line: QueueLine,
  ) {
    const { keys } = line;
    this.log = new LogReceiver(redis, execution.logPath, keys.log(jobId), keys.logBase(jobId));
    this.outcome = new Promise((resolve) => (this.resolve = resolve));
  }

  get hasStarted(): boolean {
    return this.startedBy !== undefined;
  }

  /** A worker says it started the try (a job's progress); told once per delivery. */
  started(progress: unknown): void {
    if (!isStarted(progress) || this.done) return;
    this.starts = Math.max(this.starts, progress.delivery);
    const key = `${progress.host}:${progress.pid}:${progress.delivery}`;
    if (this.startedBy === key) return;
    this.startedBy = key;
    const at = new Date(progress.startedAt);
    this.onStarted({
      pid: progress.pid,
      hostname: progress.host,
      ...(Number.isNaN(at.getTime()) ? {} : { at }),
    });
  }

  /** The try's outcome; later calls are ignored (an outcome is recorded once). */
  settle(outcome: TaskOutcome): void {
    if (this.done) return;
    this.done = true;
    this.settling = true;
    this.resolve(outcome);
  }
}

function isStarted(value: unknown): value is QueueJobStarted {
  if (!value || typeof value !== "object") return false;
  const { host, pid, delivery } = value as Partial<QueueJobStarted>;
  return typeof host === "string" && typeof pid === "number" && typeof delivery === "number";
}
