import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { formatDuration } from "../durations.js";
import { cancelled } from "../outcomes.js";
import type { TaskKind } from "../../core/dag.js";
import { requestCancel } from "../../queue/cancel.js";
import { jobIdFor } from "../../queue/job-id.js";
import { KEY_PREFIX, jobFailedOutcome, type QueueJobResult } from "../../queue/protocol.js";
import type {
  Executor,
  QueueHandOff,
  StartedCallback,
  TaskExecution,
  TaskOutcome,
} from "../executor.js";
import { addTryJob, buildJobData } from "./job-data.js";
import { Flight } from "./flight.js";
import { LostJobs } from "./lost-job.js";
import type { NamedQueues, QueueLine } from "./named-queues.js";
import { parseResult, settleWithin } from "./results.js";
import type { QueueSettings } from "./settings.js";

/**
 * Hands tries to `flow worker`s through a BullMQ queue on Redis and awaits their outcomes: the
 * driver stays the one writer of the state dir. A try's job id is recorded before the job is
 * added, so a restarted driver adopts the job (execute() with the same id awaits it). Outcomes
 * arrive by BullMQ's events, and every try in flight is also checked by its job's state, at
 * once and every `reconcileMs` (the event stream is trimmed and can drop events). The log a
 * worker streams back is appended to the try's log file before the outcome is given. A job
 * Redis lost is added again once no worker runs its try any more (see LostJobs).
 */
export class QueueDriver {
  private readonly flights = new Map<string, Flight>();
  /** The queue of each job not yet forgotten (recorded() names only the job). */
  private readonly jobLines = new Map<string, QueueLine>();
  private readonly timer: NodeJS.Timeout;
  private readonly lostJobs: LostJobs;
  private checking = false;
  private closed = false;
  private readonly startedAt = Date.now();
  readonly queue: QueueHandOff;

  constructor(
    private readonly redis: Redis,
    private readonly queues: NamedQueues,
    private readonly settings: QueueSettings,
  ) {
    this.queue = {
      jobIdFor: (parts) => jobIdFor({ stateDir: settings.stateDir, ...parts }),
      recorded: (jobId) => void this.forget(jobId),
    };
    this.lostJobs = new LostJobs(redis, settings);
    this.timer = setInterval(() => void this.checkAll(), settings.reconcileMs);
    this.timer.unref();
  }

  /** What the queues' event streams say about the tries in flight. */
  readonly events = {
    progress: (jobId: string, data: unknown): void => this.flights.get(jobId)?.started(data),
    completed: (jobId: string, returnvalue: unknown): void => {
      const flight = this.flights.get(jobId);
      if (flight) void this.complete(flight, parseResult(returnvalue));
    },
    failed: (jobId: string, failedReason: string): void => {
      const flight = this.flights.get(jobId);
      if (flight) void this.complete(flight, failedReason);
    },
  };

  /** The executor of one task kind: jobs say which kind they run. */
  executor(kind: TaskKind): Executor {
    return {
      execute: (execution, onStarted) => this.execute(kind, execution, onStarted),
      close: () => this.close(),
      queue: this.queue,
    };
  }

  async execute(
    kind: TaskKind,
    execution: TaskExecution,
    onStarted: StartedCallback,
  ): Promise<TaskOutcome> {
    const { jobId } = execution;
    if (jobId === undefined) throw new Error("the queue executor was given a try without a job id");
    const built = buildJobData(execution, kind, this.settings, this.settings.jobSizeLimit);
    if ("outcome" in built) return built.outcome;
    const queuedAt = execution.queuedAt ? Date.parse(execution.queuedAt) : Date.now();
    // The task's own queue (its `queue` option), else the driver's.
    const line = await this.queues.get(execution.queue ?? this.settings.queue);
    this.jobLines.set(jobId, line);
    const flight = new Flight(jobId, kind, execution, onStarted, queuedAt, this.redis, line);
    this.flights.set(jobId, flight);
    const stop = (): void => void this.cancel(flight);
    execution.signal.addEventListener("abort", stop, { once: true });
    try {
      // An existing id (a restarted driver adopting its try) gives the existing job back.
      await addTryJob(line, jobId, execution, built.data);
      if (execution.signal.aborted) void this.cancel(flight);
      // A try queued before this driver started is adopted: its job may have ended already, and
      // its events gone by. A new one's events come (the periodic check is the safety net).
      if (queuedAt < this.startedAt) void this.check(flight);
      return await flight.outcome;
    } finally {
      execution.signal.removeEventListener("abort", stop);
      this.flights.delete(jobId);
    }
  }

  /** Stops checking and closes the connections, each within a few seconds even without Redis. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await settleWithin(this.queues.close(), 3_000);
    await settleWithin(this.redis.quit(), 1_000);
    this.redis.disconnect();
  }

  // Every try in flight: its log pulled, its job's state read.
  private async checkAll(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await Promise.all([...this.flights.values()].map((flight) => this.check(flight)));
    } finally {
      this.checking = false;
    }
  }

  private async check(flight: Flight): Promise<void> {
    if (flight.settling) return;
    try {
      await flight.log.pull();
      // The state first, then the job: a job read before it completed has no return value yet.
      const { bull } = flight.line;
      const state = await bull.getJobState(flight.jobId);
      // Settled meanwhile (by an event), its job perhaps deleted already: nothing to do.
      if (flight.settling) return;
      if (state === "unknown") return await this.lostJobs.check(flight);
      flight.lostSince = undefined;
      const job = await bull.getJob(flight.jobId);
      if (!job || flight.settling) return;
      if (job.progress && typeof job.progress === "object") flight.started(job.progress);
      if (state === "completed") {
        const result = parseResult(job.returnvalue);
        if (typeof result !== "string") return await this.complete(flight, result);
        return; // not readable yet: the next check reads it again
      }
      if (state === "failed") return await this.complete(flight, job.failedReason);
      if (!flight.hasStarted) await this.checkQueuedTimeout(flight, job);
      // Started, then active (a worker holds it) or back in the queue (a stopping worker
      // handed it back): either way a worker must hold it again within orphanMs.
      else await this.checkOrphaned(flight, job, state === "active");
    } catch {
      // Redis is away or restarting: the next check tries again; nothing is decided meanwhile.
    }
  }

  // No worker took the try within the queued timeout: it fails (and retries if it may).
  private async checkQueuedTimeout(flight: Flight, job: Job): Promise<void> {
    const { queuedTimeoutMs } = this.settings;
    const { bull, name: queue } = flight.line;
    if (Date.now() - flight.queuedAt < queuedTimeoutMs) return;
    if ((await bull.remove(job.id!)) !== 1) return; // a worker took it just now
    const waited = formatDuration(queuedTimeoutMs);
    flight.settle({
      status: "failed",
      error: `queued for ${waited} and no worker took it: is \`flow worker --queue ${queue}\` running against this Redis?`,
      retryable: true,
    });
  }

  /**
   * A started try whose job has had no lock for ORPHAN_MS: its worker is gone and no worker is
   * left to deliver it again (only workers run BullMQ's stall check), or its worker handed it
   * back (`active` false: the job waits in the queue) and no worker took it. It fails, and
   * retries if it may, as Airflow fails a task instance whose heartbeat stopped.
   */
  private async checkOrphaned(flight: Flight, job: Job, active: boolean): Promise<void> {
    const { bull, name } = flight.line;
    const locked = (await this.redis.exists(`${KEY_PREFIX}:${name}:${job.id}:lock`)) === 1;
    if (locked) return void (flight.unlockedSince = undefined);
    flight.unlockedSince ??= Date.now();
    if (Date.now() - flight.unlockedSince < this.settings.orphanMs) return;
    if ((await bull.remove(job.id!)) !== 1) return; // a worker took it again just now
    const within = formatDuration(this.settings.orphanMs);
    flight.settle({
      status: "failed",
      error: active
        ? `its worker stopped answering and no worker took the try back within ${within}`
        : `its worker handed the try back and no worker took it within ${within}`,
      retryable: true,
    });
  }

  // The job ended: the rest of its log, then the outcome (or BullMQ's reason it failed the job).
  private async complete(flight: Flight, result: QueueJobResult | string): Promise<void> {
    if (flight.settling) return;
    flight.settling = true;
    try {
      // Adopted after its worker was done: when it started, from the job (for its start time).
      if (!flight.hasStarted)
        flight.started((await flight.line.bull.getJob(flight.jobId))?.progress);
      if (typeof result === "string") {
        await flight.log.drain(Number.MAX_SAFE_INTEGER, 0, 2_000);
        return flight.settle(jobFailedOutcome(result));
      }
      const missing = await flight.log.drain(result.delivery, result.logBytes, 10_000);
      if (missing > 0)
        await flight.log.note(`${missing} bytes of this try's log did not arrive from the worker`);
      flight.settle(result.outcome);
    } catch (error) {
      flight.settling = false; // Redis went away while the log was read: the next check resumes
      void error;
    }
  }

  /**
   * Stops the try: a job no worker has taken is removed; a running one is stopped by its worker
   * (told on the cancel channel, and by a key for a worker that takes the job later), and the
   * try ends when that worker reports its process tree gone, or after `cancelWaitMs`.
   */
  private async cancel(flight: Flight): Promise<void> {
    try {
      const { bull, name } = flight.line;
      if (await requestCancel(this.redis, bull, name, flight.jobId))
        return flight.settle(cancelled());
    } catch {
      // Redis is away: the wait below decides.
    }
    const wait = this.settings.cancelWaitMs;
    setTimeout(() => {
      if (flight.settling) return;
      flight.settle({
        status: "failed",
        error: `cancelled; its worker did not confirm within ${formatDuration(wait)} (it may be gone)`,
        retryable: true,
      });
    }, wait).unref();
  }

  // The try's result is recorded: its job, log stream and keys go.
  private async forget(jobId: string): Promise<void> {
    const line = this.jobLines.get(jobId);
    if (!line) return;
    this.jobLines.delete(jobId);
    try {
      await line.bull.remove(jobId);
      await this.redis.del(
        line.keys.log(jobId),
        line.keys.logBase(jobId),
        line.keys.cancelled(jobId),
      );
    } catch {
      // Left to expire: completed jobs are removed after a day anyway.
    }
  }
}
